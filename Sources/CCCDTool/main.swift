import CCCDCommandLine

ToolCommand.main()
