// SPDX-License-Identifier: MIT
// The part of ESP-IDF's esp_err.h that ota-xs.c uses, declared from ESP-IDF's API reference (esp_err_t, ESP_OK,
// esp_err_to_name), so that run.sh can compile ota-xs.c against the XS headers without ESP-IDF. Not ESP-IDF's file.
#ifndef DOORBELL_IDF_API_ESP_ERR_H
#define DOORBELL_IDF_API_ESP_ERR_H
typedef int esp_err_t;
#define ESP_OK 0
const char *esp_err_to_name(esp_err_t code);
#endif
