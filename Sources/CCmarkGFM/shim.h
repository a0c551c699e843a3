#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
// glibc's malloc_trim, which Swift's Glibc module leaves out: CmarkBridge hands the memory of a
// freed big tree back to the system with it.
#if defined(__linux__) && __has_include(<malloc.h>)
#include <malloc.h>
#endif
// Where the cmark arena entered on this thread is kept (CmarkBridge's CmarkArena). cmark calls
// the allocator for every node and buffer; a thread-local variable is read in an instruction or
// two, where pthread_getspecific and Swift's lazily made key for it were two calls on each.
// Every object file that uses this function has a variable of its own: only CmarkBridge.swift
// may use it.
static inline void *_Nullable *_Nonnull bridgehead_cmark_arena_slot(void) {
    static _Thread_local void *_Nullable arena;
    return &arena;
}
