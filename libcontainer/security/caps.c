/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capabilities (names: spec/caps-table.c): the bounding set (before the uid switch) and the other
 * four sets (after).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "plan/plan.h"
#include "security/security.h"
#include "utils.h"

/*
 * Highest capability the running kernel knows (what
 * /proc/sys/kernel/cap_last_cap says, without needing /proc): probe
 * PR_CAPBSET_READ, which fails with EINVAL past the last one.  With
 * `beyond_table`, also count caps newer than our table (they have no name,
 * but must still leave the bounding set); else stop at the table's end.
 */
static int kernel_cap_last(bool beyond_table)
{
	int last = husk_cap_last();

	if (prctl(PR_CAPBSET_READ, (unsigned long)last, 0, 0, 0) >= 0) {
		while (beyond_table && last < 63 &&
		       prctl(PR_CAPBSET_READ, (unsigned long)last + 1, 0, 0, 0) >= 0)
			last++;
		return last;
	}
	while (last > 0 && prctl(PR_CAPBSET_READ, (unsigned long)last, 0, 0, 0) < 0)
		last--;
	return last;
}

int husk_caps_kernel_last(void)
{
	return kernel_cap_last(false);
}

/* The bits of `mask` the kernel knows (0..last). */
static uint64_t known(uint64_t mask, int last)
{
	return last >= 63 ? mask : mask & ((UINT64_C(1) << (last + 1)) - 1);
}

int husk_caps_prepare(const struct husk_cap_masks *caps, struct husk_error *err)
{
	static const struct husk_cap_masks none;
	uint64_t bounding;
	int last, c;

	/* masks from husk_plan_caps(); NULL: every set empty */
	if (!caps)
		caps = &none;
	last = kernel_cap_last(true);
	bounding = known(caps->bounding, last);
	for (c = 0; c <= last; c++) {
		if (bounding & (UINT64_C(1) << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) == 0)
			continue;
		/* Without CAP_SETPCAP only a cap that is already gone may "fail". */
		if (errno == EPERM && prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) == 0)
			continue;
		return husk_error_errno(err, "drop `%s` from the bounding set",
					husk_cap_name(c) ? husk_cap_name(c) : "unknown capability");
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return husk_error_errno(err, "prctl PR_SET_KEEPCAPS");
	return 0;
}

int husk_caps_apply(const struct husk_cap_masks *caps, struct husk_error *err)
{
	static const struct husk_cap_masks none;
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
	uint64_t eff, prm, inh, amb;
	int last, c;

	if (!caps)
		caps = &none;
	last = kernel_cap_last(false);
	eff = known(caps->effective, last);
	prm = known(caps->permitted, last);
	inh = known(caps->inheritable, last);
	amb = known(caps->ambient, last);

	data[0].effective = (uint32_t)eff;
	data[1].effective = (uint32_t)(eff >> 32);
	data[0].permitted = (uint32_t)prm;
	data[1].permitted = (uint32_t)(prm >> 32);
	data[0].inheritable = (uint32_t)inh;
	data[1].inheritable = (uint32_t)(inh >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return husk_error_errno(err, "set capabilities");

	/*
	 * Ambient: the capset above already dropped every ambient cap that
	 * left permitted or inheritable; clear the rest, then raise the
	 * listed ones.  EINVAL: a kernel without ambient caps (runc ignores
	 * that).  A cap that cannot be raised (not in both permitted and
	 * inheritable: EPERM) is skipped: runc only warns about it, and the
	 * library does not print.
	 */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		if (errno != EINVAL)
			return husk_error_errno(err, "clear the ambient capabilities");
		amb = 0;
	}
	for (c = 0; c <= last && amb; c++) {
		if (!(amb & (UINT64_C(1) << c)))
			continue;
		amb &= ~(UINT64_C(1) << c);
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0) < 0 &&
		    errno != EPERM && errno != EINVAL)
			return husk_error_errno(err, "raise ambient capability `%s`",
						husk_cap_name(c));
	}
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return husk_error_errno(err, "prctl PR_SET_KEEPCAPS");
	return 0;
}
