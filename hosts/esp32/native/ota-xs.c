// SPDX-License-Identifier: MIT
// XS host functions over ESP-IDF's app update API (esp_ota_ops.h), reached from ota.ts with native("xs_doorbell_ota_…"):
// activating the slot an update was written to, the running image's trial state, and the app rollback calls that the
// Moddable SDK's `ota` module does not expose (CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE, docs/ota.md). The image bytes
// themselves are written by ota.ts through the SDK's `flash` module ("nextota"), so a write can resume after a reset.
#include "xsmc.h"
#include "esp_err.h"
#include "app_update/include/esp_ota_ops.h"

/* Activates the inactive slot (the one esp_ota_get_next_update_partition names, which is the one `new Flash("nextota")`
 * opens): ESP-IDF checks the image there and makes it boot next, on trial (ESP_OTA_IMG_NEW) when rollback is enabled.
 * Throws "activate: <ESP-IDF error name>" when the image is not valid or otadata cannot be written. */
void xs_doorbell_ota_activate(xsMachine *the)
{
	const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
	esp_err_t err;

	if (next == NULL)
		xsUnknownError("activate: no inactive application slot");
	err = esp_ota_set_boot_partition(next);
	if (err != ESP_OK)
		xsUnknownError("activate: %s", esp_err_to_name(err));
}

/* true while the running image is on trial (ESP_OTA_IMG_PENDING_VERIFY); false for a valid image or one flashed over
 * USB, which has no trial state (esp_ota_get_state_partition answers ESP_ERR_NOT_FOUND or ESP_OTA_IMG_UNDEFINED). */
void xs_doorbell_ota_running_pending(xsMachine *the)
{
	esp_ota_img_states_t state = ESP_OTA_IMG_UNDEFINED;
	const esp_partition_t *running = esp_ota_get_running_partition();

	xsmcSetBoolean(xsResult, running != NULL && esp_ota_get_state_partition(running, &state) == ESP_OK &&
	                             state == ESP_OTA_IMG_PENDING_VERIFY);
}

/* Keeps the running image: its state becomes ESP_OTA_IMG_VALID and the bootloader no longer rolls it back. */
void xs_doorbell_ota_mark_valid(xsMachine *the)
{
	esp_err_t err = esp_ota_mark_app_valid_cancel_rollback();

	if (err != ESP_OK)
		xsUnknownError("mark valid: %s", esp_err_to_name(err));
}

/* Gives up on the running image: marks it invalid and restarts into the previous slot. Returns only when ESP-IDF
 * cannot do that (no other valid image), and then throws. */
void xs_doorbell_ota_rollback(xsMachine *the)
{
	esp_err_t err = esp_ota_mark_app_invalid_rollback_and_reboot();

	xsUnknownError("rollback: %s", esp_err_to_name(err));
}
