import CCCDCommandLine

/// `cccd`. An asynchronous entry point, so that ArgumentParser runs `cccd counter` (asynchronous)
/// like every other subcommand (from top-level code it picks the synchronous `main()`).
@main
enum CCCDTool {
    static func main() async {
        await ToolCommand.main()
    }
}
