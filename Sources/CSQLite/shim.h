#ifndef CCCD_SQLITE_SHIM_H
#define CCCD_SQLITE_SHIM_H
#include <sqlite3.h>
/* SQLITE_TRANSIENT is a macro over a cast function pointer. */
static inline sqlite3_destructor_type cccd_sqlite_transient(void) { return SQLITE_TRANSIENT; }
#endif
