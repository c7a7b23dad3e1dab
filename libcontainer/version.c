/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "husk/husk.h"
#include "spec/spec.h"

const char *husk_version(void)
{
	return HUSK_VERSION;
}

const char *husk_commit(void)
{
	return HUSK_COMMIT;
}

const char *husk_spec_version(void)
{
	return HUSK_OCI_VERSION;
}

const char *const *husk_build_features(void)
{
	static const char *const features[] = {
#if HAVE_SECCOMP
		"+SECCOMP",
#else
		"-SECCOMP",
#endif
#if HAVE_SELINUX
		"+SELINUX",
#else
		"-SELINUX",
#endif
#if HAVE_APPARMOR
		"+APPARMOR",
#else
		"-APPARMOR",
#endif
		"+CLONE3",
		"+PIDFD",
		"+CGROUPV1",
		"+CGROUPV2",
		NULL,
	};
	return features;
}
