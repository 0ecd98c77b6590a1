#ifndef CCCD_FUZZ_MAIN_H
#define CCCD_FUZZ_MAIN_H
// Replay driver for the fuzz target; see replay.c.
#endif
