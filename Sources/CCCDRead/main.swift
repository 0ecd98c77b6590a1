print("cccd-read")
