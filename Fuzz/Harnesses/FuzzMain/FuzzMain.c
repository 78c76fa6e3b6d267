// SwiftPM links every executable with `--defsym main=<Target>_main`, for executables that tests
// import; a harness built with -parse-as-library has no such function, so the link fails. These
// are those functions: each hands the process to libFuzzer's driver with the harness's
// LLVMFuzzerTestOneInput (one per executable), as libFuzzer's own main would.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#define HARNESS_MAIN(target) \
    int target##_main(int argc, char **argv) { return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput); }

HARNESS_MAIN(FuzzOpenFlow)
HARNESS_MAIN(FuzzUnitProtocol)
HARNESS_MAIN(FuzzFilters)
HARNESS_MAIN(FuzzConfiguration)
HARNESS_MAIN(FuzzLLDP)
