import ArgumentParser
import Conformance
import EMRTDCore
import Foundation
import LDS
import Specimen
import VirtualChip

/// `cccd sim`: the virtual chip as a card in pcscd's vpcd reader.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Connect the virtual chip to the vsmartcard vpcd reader driver, so it is a card in a PC/SC reader.",
        discussion: """
            vpcd listens on 0.0.0.0 (port 35963 for its first slot); run it and this command inside a private
            network namespace (scripts/testbed.sh does). The card stays inserted until the command ends, or
            until --remove-after APDUs; it reconnects when vpcd restarts.
            """
    )

    @Option(name: .long, help: ArgumentHelp("vpcd's address.", valueName: "HOST:PORT"))
    var vpcd = "127.0.0.1:35963"

    @Option(name: .long, help: ArgumentHelp("The card image to serve (default: the built-in specimen).", valueName: "DIR"))
    var card: String?

    @Option(name: .long, help: ArgumentHelp("Pull the card out after N APDUs.", valueName: "N"))
    var removeAfter: Int?

    @Option(name: .long, help: ArgumentHelp("A known defect of the chip (repeatable; cccd conformance defects lists them). Image defects re-sign EF.SOD with the test DSC.", valueName: "NAME"))
    var defect: [String] = []

    @Flag(name: .long, help: "A blank chip with the JMRTD passport applet, waiting for personalization (cccd perso --write).")
    var blank = false

    @Option(name: .long, help: ArgumentHelp("With --blank: when personalization locks the chip, save its content as a card image here.", valueName: "DIR"))
    var save: String?

    @Option(name: .long, help: ArgumentHelp(
        "Be a hostile chip: spoil every answer of STEP with FAULT. STEP: \(HostileChip.Step.allCases.map(\.rawValue).joined(separator: ", ")). FAULT: \(HostileChip.Fault.allCases.map(\.rawValue).joined(separator: ", ")).",
        valueName: "STEP:FAULT"))
    var hostile: String?

    @Option(name: .long, help: ArgumentHelp("How long a hostile chip's slow answer takes.", valueName: "SECONDS"))
    var hostileDelay: Double = 30

    @Flag(name: .long, help: "Print every STEP:FAULT of the hostile chip, one a line, and exit.")
    var listHostile = false

    @Option(name: .long, help: ArgumentHelp("Behave like real chips that break naive readers: a quirk or a combination of quirks, comma-separated or repeated (--list-quirks lists them).", valueName: "NAME"))
    var quirk: [String] = []

    @Flag(name: .long, help: "List the quirks of real chips the virtual chip can show, and their combinations, and exit.")
    var listQuirks = false

    @Flag(name: .long, help: "With --list-quirks: read the built-in specimen (PACE and BAC-only) with each quirk and print a Markdown table of the verdict and what each costs the reader.")
    var measure = false

    @Flag(name: .long, help: "Log connections and events on standard error.")
    var verbose = false

    func run() throws {
        if listHostile {
            for plan in HostileChip.Plan.matrix { print(plan) }
            return
        }
        if listQuirks {
            print(measure ? try QuirkOptions.measuredTableOrExit() : QuirkOptions.catalogue)
            return
        }
        do {
            let parts = vpcd.split(separator: ":")
            guard parts.count == 2, let port = UInt16(parts[1]) else {
                throw EMRTDError(.invalidArgument, "--vpcd takes HOST:PORT, e.g. 127.0.0.1:35963")
            }
            guard !(blank && (card != nil || !defect.isEmpty || !quirk.isEmpty)) else {
                throw EMRTDError(.invalidArgument, "--blank excludes --card, --defect and --quirk")
            }
            guard save == nil || blank else { throw EMRTDError(.invalidArgument, "--save goes with --blank") }
            let chip: VirtualChip
            if blank {
                chip = try VirtualChip.blank()
                let save = self.save, verbose = self.verbose
                chip.onLock = { image in
                    if verbose { printError("cccd sim: personalization locked the chip (\(image.files.count) files)") }
                    guard let save else { return }
                    do throws(EMRTDError) {
                        try image.write(to: save)
                    } catch {
                        printError("cccd sim: cannot save the personalized chip: \(error.message)")
                    }
                }
            } else {
                var image = try card.map { (dir: String) throws(EMRTDError) in try CardImage.load(from: dir) } ?? Specimen.cardImage()
                var defects: [ChipDefect] = []
                for name in defect { defects.append(try ChipDefect.named(name)) }
                let behaviour = try ChipDefect.apply(defects, to: &image, signer: Specimen.testPKI)
                chip = try VirtualChip(image: image)
                chip.defects = behaviour
                chip.quirks = try QuirkOptions.parse(quirk)
            }
            chip.logsCommands = false  // it serves for as long as it runs
            let side = VPCDCardSide(chip: chip, host: String(parts[0]), port: port)
            side.removeAfterAPDUs = removeAfter
            if let hostile {
                let hostileChip = HostileChip(chip: chip, plan: try HostileChip.Plan(parsing: hostile), delay: hostileDelay)
                side.respond = { hostileChip.answer($0) }
            }
            if verbose { side.log = { printError("cccd sim: " + $0) } }
            try side.run()
        } catch let error as EMRTDError {
            throw fail(error)
        }
    }
}

/// `--quirk NAME` and `--list-quirks` (cccd sim, cccd-read --simulated).
enum QuirkOptions {
    static func parse(_ names: [String]) throws(EMRTDError) -> Set<ChipQuirk> {
        var quirks: Set<ChipQuirk> = []
        for name in names {
            guard let parsed = ChipQuirk.parse(name) else {
                throw EMRTDError(.invalidArgument, "unknown quirk '\(name)' (cccd sim --list-quirks lists them)")
            }
            quirks.formUnion(parsed)
        }
        return quirks
    }

    static func measuredTableOrExit() throws(ExitCode) -> String {
        do {
            return try QuirkBench.markdown()
        } catch {
            throw fail(error)
        }
    }

    /// Every quirk (name, behaviour, source, the reader's strategy), then the combinations.
    static var catalogue: String {
        var out: [String] = []
        for quirk in ChipQuirk.allCases {
            out.append(quirk.rawValue)
            out.append("    chip:   " + quirk.behaviour)
            out.append("    seen:   " + quirk.source)
            out.append("    reader: " + quirk.readerStrategy)
        }
        out.append("")
        out.append("Combinations (usable as names):")
        for combination in ChipQuirk.combinations {
            out.append("\(combination.name) = \(combination.quirks.map(\.rawValue).joined(separator: ","))")
            out.append("    " + combination.documents)
        }
        return out.joined(separator: "\n")
    }
}
