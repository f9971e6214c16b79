#include <torch/torch.h>
extern "C" __attribute__((visibility("default"))) int ct_version() { return 1; }
