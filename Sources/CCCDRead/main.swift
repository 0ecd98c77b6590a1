import CCCDCommandLine

ReadCardCommand.main()
