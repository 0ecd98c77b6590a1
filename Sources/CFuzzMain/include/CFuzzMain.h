#ifndef CCCD_FUZZ_MAIN_H
#define CCCD_FUZZ_MAIN_H
#endif
