#ifndef CCCD_POSTGRESQL_SHIM_H
#define CCCD_POSTGRESQL_SHIM_H
#include <libpq-fe.h>
#endif
