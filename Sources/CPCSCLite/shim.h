#ifndef CCCD_PCSCLITE_SHIM_H
#define CCCD_PCSCLITE_SHIM_H
#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>
#include <PCSC/pcsclite.h>
#include <PCSC/reader.h>

/* The protocol control information structures are macros over globals. */
static inline const SCARD_IO_REQUEST *cccd_pcsc_pci_t0(void) { return SCARD_PCI_T0; }
static inline const SCARD_IO_REQUEST *cccd_pcsc_pci_t1(void) { return SCARD_PCI_T1; }
static inline const SCARD_IO_REQUEST *cccd_pcsc_pci_raw(void) { return SCARD_PCI_RAW; }
#endif
