// SPDX-License-Identifier: MIT
// The part of ESP-IDF's app update API (esp_ota_ops.h) that ota-xs.c uses, declared from ESP-IDF's API reference
// ("Over The Air Updates (OTA)"), so that run.sh can compile ota-xs.c against the XS headers without ESP-IDF.
// Not ESP-IDF's file: the names and signatures are the documented ones, the enum values are placeholders.
#ifndef DOORBELL_IDF_API_ESP_OTA_OPS_H
#define DOORBELL_IDF_API_ESP_OTA_OPS_H
#include "esp_err.h"
typedef struct esp_partition_t esp_partition_t;
typedef enum {
	ESP_OTA_IMG_NEW,
	ESP_OTA_IMG_PENDING_VERIFY,
	ESP_OTA_IMG_VALID,
	ESP_OTA_IMG_INVALID,
	ESP_OTA_IMG_ABORTED,
	ESP_OTA_IMG_UNDEFINED,
} esp_ota_img_states_t;
const esp_partition_t *esp_ota_get_next_update_partition(const esp_partition_t *start_from);
const esp_partition_t *esp_ota_get_running_partition(void);
esp_err_t esp_ota_set_boot_partition(const esp_partition_t *partition);
esp_err_t esp_ota_get_state_partition(const esp_partition_t *partition, esp_ota_img_states_t *ota_state);
esp_err_t esp_ota_mark_app_valid_cancel_rollback(void);
esp_err_t esp_ota_mark_app_invalid_rollback_and_reboot(void);
#endif
