#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
// glibc's malloc_trim, which Swift's Glibc module leaves out: CmarkBridge hands the memory of a
// freed big tree back to the system with it.
#if defined(__linux__) && __has_include(<malloc.h>)
#include <malloc.h>
#endif
