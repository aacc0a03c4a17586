/* Inside pow/rx: the dataset's memory, for the VM's fast-mode reads. */
#ifndef MINEMETER_POW_RX_DATASET_MEMORY_H
#define MINEMETER_POW_RX_DATASET_MEMORY_H

#include <stdint.h>

#include "pow/rx/randomx.h"

const uint8_t *pow_rx__dataset_memory(const pow_rx_dataset_t *dataset);

#endif
