#ifndef CCCD_PCSCLITE_SHIM_H
#define CCCD_PCSCLITE_SHIM_H
#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>
#include <PCSC/pcsclite.h>
#endif
