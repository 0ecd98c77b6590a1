// In an ordinary build nothing supplies main() for the fuzz target, so this weak one replays each
// file named on the command line through LLVMFuzzerTestOneInput (crash reproduction, CI smoke runs).
// With -sanitize=fuzzer, libFuzzer's strong main() takes precedence.
#include "CFuzzMain.h"
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

extern int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__attribute__((weak)) int main(int argc, char **argv) {
    int failures = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) { fprintf(stderr, "cannot open %s\n", argv[i]); failures++; continue; }
        uint8_t *buf = NULL;
        size_t len = 0, cap = 0;
        for (;;) {
            if (len == cap) {
                cap = cap ? cap * 2 : 4096;
                if (cap > (64u << 20)) { fprintf(stderr, "%s: larger than 64 MiB\n", argv[i]); break; }
                uint8_t *grown = realloc(buf, cap);
                if (!grown) break;
                buf = grown;
            }
            size_t n = fread(buf + len, 1, cap - len, f);
            if (n == 0) break;
            len += n;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
    }
    printf("replayed %d input(s)\n", argc - 1 - failures);
    return failures ? 1 : 0;
}
