// swift-tools-version:6.1
//
// cccd-toolkit: read, verify and personalize ICAO Doc 9303 eMRTD chips and the
// Vietnamese chip citizen ID card (CCCD).

import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "cccd-toolkit",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cccd-read", targets: ["CCCDRead"]),
        .executable(name: "cccd", targets: ["CCCDTool"]),
        .executable(name: "cccd-fuzz", targets: ["CCCDFuzz"]),
        // The library: `import Inspection` reads and verifies a card in a PC/SC reader or a card image.
        .library(name: "EMRTD", targets: ["Inspection"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // `swift package generate-documentation` (the DocC catalogue of the library, Inspection.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // `cccd counter`: the counter's local web page (HTTP/1.1 on loopback, server-sent events).
        // No traits: swift-configuration is not needed.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // C libraries, wrapped; their types never leave the Swift module that imports them.
        .systemLibrary(
            name: "CCCDOpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CPostgreSQL",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // PKCS #11 through p11-kit's header; modules are loaded with dlopen (SoftHSM2, a real HSM's).
        .systemLibrary(
            name: "CPKCS11",
            pkgConfig: "p11-kit-1",
            providers: [.apt(["libp11-kit-dev"])]
        ),
        .systemLibrary(
            name: "CPCSCLite",
            pkgConfig: "libpcsclite",
            providers: [.apt(["libpcsclite-dev"])]
        ),

        .target(name: "EMRTDCore", swiftSettings: strict),
        // The one ASN.1 layer: swift-asn1 behind total readers with typed errors, a DER writer, OIDs.
        .target(
            name: "EMRTDASN1",
            dependencies: ["EMRTDCore", .product(name: "SwiftASN1", package: "swift-asn1")],
            swiftSettings: strict
        ),
        .target(
            name: "Cryptography",
            dependencies: ["EMRTDCore", "EMRTDASN1", "CCCDOpenSSL", .product(name: "SwiftASN1", package: "swift-asn1")],
            swiftSettings: strict
        ),
        .target(name: "ISO7816", dependencies: ["EMRTDCore"], swiftSettings: strict),
        .target(name: "MRZ", dependencies: ["EMRTDCore"], swiftSettings: strict),
        .target(
            name: "SecureMessaging",
            dependencies: ["EMRTDCore", "ISO7816", "Cryptography"],
            swiftSettings: strict
        ),
        .target(
            name: "AccessControl",
            dependencies: [
                "EMRTDCore", "EMRTDASN1", "ISO7816", "Cryptography", "SecureMessaging", "MRZ", "LDS",
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "LDS",
            dependencies: [
                "EMRTDCore", "EMRTDASN1", "ISO7816", "MRZ",
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .target(name: "PCSC", dependencies: ["EMRTDCore", "ISO7816", "CPCSCLite"], swiftSettings: strict),
        .target(
            name: "PKIX",
            dependencies: [
                "EMRTDCore", "EMRTDASN1", "Cryptography",
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        // Signing keys that never leave a hardware security module (PKCS #11, RFC 7512 URIs).
        .target(
            name: "PKCS11",
            dependencies: ["EMRTDCore", "EMRTDASN1", "Cryptography", "CPKCS11", .product(name: "SwiftASN1", package: "swift-asn1")],
            swiftSettings: strict
        ),
        .target(
            name: "PassiveAuthentication",
            dependencies: [
                "EMRTDCore", "EMRTDASN1", "Cryptography", "PKIX", "LDS",
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Personalization",
            dependencies: [
                "EMRTDCore", "ISO7816", "MRZ", "LDS", "Cryptography", "PassiveAuthentication", "AccessControl",
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        // The issuance center's audit: rows chained by hash per station, in SQLite (a station's journal,
        // or the whole audit of a small center) and PostgreSQL (one audit for many stations), with
        // versioned migrations, delivery exactly once, verification and reports.
        .target(
            name: "AuditTrail",
            dependencies: ["EMRTDCore", "Cryptography", "CSQLite", "CPostgreSQL"],
            swiftSettings: strict
        ),
        .target(
            name: "IssuanceStation",
            dependencies: [
                "AuditTrail", "EMRTDCore", "Cryptography", "EMRTD", "PCSC", "Personalization", "PassiveAuthentication", "AccessControl", "LDS", "Inspection", "Messages",
            ],
            swiftSettings: strict
        ),
        .target(
            name: "EMRTD",
            dependencies: ["EMRTDCore", "EMRTDASN1", "ISO7816", "SecureMessaging", "AccessControl", "MRZ", "LDS", "PassiveAuthentication"],
            swiftSettings: strict
        ),
        .target(
            name: "VirtualChip",
            dependencies: ["EMRTDCore", "ISO7816", "Cryptography", "SecureMessaging", "AccessControl", "MRZ", "LDS"],
            swiftSettings: strict
        ),
        .target(
            name: "Specimen",
            dependencies: ["EMRTDCore", "ISO7816", "MRZ", "LDS", "Cryptography", "PKIX", "PassiveAuthentication", "Personalization"],
            swiftSettings: strict
        ),
        .target(
            name: "VectorSuites",
            dependencies: ["EMRTDCore", "ISO7816", "Cryptography", "SecureMessaging", "AccessControl", "MRZ", "LDS"],
            swiftSettings: strict
        ),
        .target(
            name: "Conformance",
            dependencies: [
                "EMRTDCore", "EMRTDASN1", "ISO7816", "Cryptography", "SecureMessaging", "AccessControl", "MRZ", "LDS", "EMRTD",
                "VirtualChip", "PassiveAuthentication", "Personalization", "Specimen", "PCSC", "PKIX",
            ],
            swiftSettings: strict
        ),
        .target(name: "Messages", swiftSettings: strict),
        .target(
            name: "Inspection",
            dependencies: [
                "EMRTDCore", "ISO7816", "MRZ", "LDS", "AccessControl", "EMRTD", "PassiveAuthentication", "PCSC",
                "Personalization", "Cryptography", "PKIX", "Messages",
            ],
            swiftSettings: strict
        ),
        // What the local web pages share: security headers, the Host/token guard, server-sent events.
        .target(
            name: "LocalWebPage",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: strict
        ),
        // The service counter's web page: the card desk (readers, key, read, result, cleared on removal)
        // and its HTTP face. Only `cccd` links it.
        .target(
            name: "ServiceCounter",
            dependencies: [
                "Inspection", "Messages", "Specimen", "VirtualChip", "LocalWebPage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // `cccd station --dashboard`: the station's live page.
        .target(
            name: "StationDashboard",
            dependencies: [
                "IssuanceStation", "AuditTrail", "Messages", "Inspection", "LocalWebPage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "CCCDCommandLine",
            dependencies: ["ServiceCounter", "StationDashboard", "LocalWebPage", "AuditTrail", "PKCS11",
                "EMRTDCore", "ISO7816", "MRZ", "LDS", "EMRTD", "VirtualChip", "Specimen", "VectorSuites", "PCSC", "Conformance",
                "PassiveAuthentication", "PKIX", "Cryptography", "AccessControl", "Personalization", "IssuanceStation", "Inspection", "Messages",
                "EMRTDASN1",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "CCCDRead", dependencies: ["CCCDCommandLine"], swiftSettings: strict),
        .executableTarget(name: "CCCDTool", dependencies: ["CCCDCommandLine"], swiftSettings: strict),

        // libFuzzer entry point (LLVMFuzzerTestOneInput). Built with --sanitize=fuzzer, libFuzzer
        // supplies main(); scripts/fuzz.sh builds and runs it.
        .executableTarget(name: "CCCDFuzz", dependencies: ["FuzzTargets"], swiftSettings: strict),
        .target(
            name: "FuzzTargets",
            dependencies: [
                "EMRTDCore", "ISO7816", "MRZ", "LDS", "PassiveAuthentication", "PKIX", "SecureMessaging",
                "VirtualChip", "Specimen", "Personalization",
            ],
            swiftSettings: strict
        ),

        .testTarget(
            name: "CryptographyTests", dependencies: ["Cryptography", "EMRTDASN1", "EMRTDCore", .product(name: "SwiftASN1", package: "swift-asn1")],
            swiftSettings: strict
        ),
        .testTarget(name: "ISO7816Tests", dependencies: ["ISO7816", "EMRTDCore"], swiftSettings: strict),
        .testTarget(name: "MRZTests", dependencies: ["MRZ", "EMRTDCore"], swiftSettings: strict),
        .testTarget(
            name: "PKIXTests", dependencies: ["PKIX", "Cryptography", "EMRTDASN1", "EMRTDCore", .product(name: "SwiftASN1", package: "swift-asn1")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PassiveAuthenticationTests",
            dependencies: ["PassiveAuthentication", "PKIX", "Cryptography", "LDS", "EMRTDCore", .product(name: "SwiftASN1", package: "swift-asn1")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LDSTests",
            dependencies: ["LDS", "MRZ", "ISO7816", "EMRTDASN1", "EMRTDCore", "Specimen", "FuzzTargets", .product(name: "SwiftASN1", package: "swift-asn1")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EMRTDTests",
            dependencies: [
                "EMRTD", "VirtualChip", "Specimen", "SecureMessaging", "AccessControl", "Cryptography",
                "ISO7816", "LDS", "MRZ", "EMRTDCore", "VectorSuites", "Personalization", "PCSC", "PassiveAuthentication", "PKIX", "Inspection",
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: [
                "Conformance", "VirtualChip", "Specimen", "LDS", "MRZ", "AccessControl", "Cryptography", "EMRTDCore", "ISO7816",
                "Personalization", "EMRTD",
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "PKCS11Tests", dependencies: ["PKCS11", "EMRTDCore"], swiftSettings: strict),
        .testTarget(name: "AuditTrailTests", dependencies: ["AuditTrail", "EMRTDCore"], swiftSettings: strict),
        .testTarget(
            name: "ServiceCounterTests",
            dependencies: ["ServiceCounter", "StationDashboard", "LocalWebPage", "AuditTrail", "PKCS11","Inspection", "Messages", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CommandLineTests",
            dependencies: [
                "CCCDRead", "CCCDTool", "AccessControl", "Specimen", "MRZ", "LDS", "EMRTDCore", "IssuanceStation", "VirtualChip",
                "PCSC", "ISO7816", "Messages", "AuditTrail",
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
