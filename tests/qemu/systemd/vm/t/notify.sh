#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A Type=notify unit running `husk run`, active only once the container sends
# READY=1 through husk's NOTIFY_SOCKET relay (issue 12): not built yet.
# rc and the variables that check conditions name are set by tap.sh or used in eval
# shellcheck disable=SC2034,SC2154
. /husk/tap.sh
skip "Type=notify unit with husk run: the container's READY=1 makes it active" \
	"sd-notify relay not built yet"
finish
