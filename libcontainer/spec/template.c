/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `husk spec`: the default config.json, as `runc spec` writes it (runc 1.1,
 * plus 1.2's /sys/devices/virtual/powercap mask), ociVersion 1.3.0 and
 * hostname "husk".  The rootless variant is runc's ToRootless: a user
 * namespace mapping the caller's uid/gid to root, no network namespace,
 * /sys bound from the host, no uid=/gid= mount options, no resources.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "husk/husk.h"
#include "spec/spec.h"
#include "utils.h"

#define CAPS "\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\""

static const char head[] =
    "{\n"
    "\t\"ociVersion\": \"" HUSK_OCI_VERSION "\",\n"
    "\t\"process\": {\n"
    "\t\t\"terminal\": true,\n"
    "\t\t\"user\": {\n"
    "\t\t\t\"uid\": 0,\n"
    "\t\t\t\"gid\": 0\n"
    "\t\t},\n"
    "\t\t\"args\": [\n"
    "\t\t\t\"sh\"\n"
    "\t\t],\n"
    "\t\t\"env\": [\n"
    "\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
    "\t\t\t\"TERM=xterm\"\n"
    "\t\t],\n"
    "\t\t\"cwd\": \"/\",\n"
    "\t\t\"capabilities\": {\n"
    "\t\t\t\"bounding\": [" CAPS "],\n"
    "\t\t\t\"effective\": [" CAPS "],\n"
    "\t\t\t\"permitted\": [" CAPS "]\n"
    "\t\t},\n"
    "\t\t\"rlimits\": [\n"
    "\t\t\t{\n"
    "\t\t\t\t\"type\": \"RLIMIT_NOFILE\",\n"
    "\t\t\t\t\"hard\": 1024,\n"
    "\t\t\t\t\"soft\": 1024\n"
    "\t\t\t}\n"
    "\t\t],\n"
    "\t\t\"noNewPrivileges\": true\n"
    "\t},\n"
    "\t\"root\": {\n"
    "\t\t\"path\": \"rootfs\",\n"
    "\t\t\"readonly\": true\n"
    "\t},\n"
    "\t\"hostname\": \"husk\",\n"
    "\t\"mounts\": [\n"
    "\t\t{\n"
    "\t\t\t\"destination\": \"/proc\",\n"
    "\t\t\t\"type\": \"proc\",\n"
    "\t\t\t\"source\": \"proc\"\n"
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"destination\": \"/dev\",\n"
    "\t\t\t\"type\": \"tmpfs\",\n"
    "\t\t\t\"source\": \"tmpfs\",\n"
    "\t\t\t\"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]\n"
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"destination\": \"/dev/pts\",\n"
    "\t\t\t\"type\": \"devpts\",\n"
    "\t\t\t\"source\": \"devpts\",\n";

static const char devpts_opts[] =
    "\t\t\t\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", "
    "\"mode=0620\", \"gid=5\"]\n";
static const char devpts_opts_rootless[] =
    "\t\t\t\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", "
    "\"mode=0620\"]\n";

static const char middle[] =
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"destination\": \"/dev/shm\",\n"
    "\t\t\t\"type\": \"tmpfs\",\n"
    "\t\t\t\"source\": \"shm\",\n"
    "\t\t\t\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]\n"
    "\t\t},\n"
    "\t\t{\n"
    "\t\t\t\"destination\": \"/dev/mqueue\",\n"
    "\t\t\t\"type\": \"mqueue\",\n"
    "\t\t\t\"source\": \"mqueue\",\n"
    "\t\t\t\"options\": [\"nosuid\", \"noexec\", \"nodev\"]\n"
    "\t\t},\n";

static const char sysfs[] = "\t\t{\n"
			    "\t\t\t\"destination\": \"/sys\",\n"
			    "\t\t\t\"type\": \"sysfs\",\n"
			    "\t\t\t\"source\": \"sysfs\",\n"
			    "\t\t\t\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]\n"
			    "\t\t},\n";
static const char sysfs_rootless[] =
    "\t\t{\n"
    "\t\t\t\"destination\": \"/sys\",\n"
    "\t\t\t\"type\": \"none\",\n"
    "\t\t\t\"source\": \"/sys\",\n"
    "\t\t\t\"options\": [\"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\"]\n"
    "\t\t},\n";

static const char cgroup_and_paths[] =
    "\t\t{\n"
    "\t\t\t\"destination\": \"/sys/fs/cgroup\",\n"
    "\t\t\t\"type\": \"cgroup\",\n"
    "\t\t\t\"source\": \"cgroup\",\n"
    "\t\t\t\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]\n"
    "\t\t}\n"
    "\t],\n"
    "\t\"linux\": {\n"
    "\t\t\"maskedPaths\": [\n"
    "\t\t\t\"/proc/acpi\",\n"
    "\t\t\t\"/proc/asound\",\n"
    "\t\t\t\"/proc/kcore\",\n"
    "\t\t\t\"/proc/keys\",\n"
    "\t\t\t\"/proc/latency_stats\",\n"
    "\t\t\t\"/proc/timer_list\",\n"
    "\t\t\t\"/proc/timer_stats\",\n"
    "\t\t\t\"/proc/sched_debug\",\n"
    "\t\t\t\"/sys/firmware\",\n"
    "\t\t\t\"/sys/devices/virtual/powercap\",\n"
    "\t\t\t\"/proc/scsi\"\n"
    "\t\t],\n"
    "\t\t\"readonlyPaths\": [\n"
    "\t\t\t\"/proc/bus\",\n"
    "\t\t\t\"/proc/fs\",\n"
    "\t\t\t\"/proc/irq\",\n"
    "\t\t\t\"/proc/sys\",\n"
    "\t\t\t\"/proc/sysrq-trigger\"\n"
    "\t\t],\n";

#define TAIL                                                                                       \
	"\t\t\"resources\": {\n"                                                                   \
	"\t\t\t\"devices\": [\n"                                                                   \
	"\t\t\t\t{\n"                                                                              \
	"\t\t\t\t\t\"allow\": false,\n"                                                            \
	"\t\t\t\t\t\"access\": \"rwm\"\n"                                                          \
	"\t\t\t\t}\n"                                                                              \
	"\t\t\t]\n"                                                                                \
	"\t\t},\n"                                                                                 \
	"\t\t\"namespaces\": [\n"                                                                  \
	"\t\t\t{\"type\": \"pid\"},\n"                                                             \
	"\t\t\t{\"type\": \"network\"},\n"                                                         \
	"\t\t\t{\"type\": \"ipc\"},\n"                                                             \
	"\t\t\t{\"type\": \"uts\"},\n"                                                             \
	"\t\t\t{\"type\": \"mount\"}%s\n"                                                          \
	"\t\t]\n"                                                                                  \
	"\t}\n"                                                                                    \
	"}\n"

#define TAIL_ROOTLESS                                                                              \
	"\t\t\"uidMappings\": [\n"                                                                 \
	"\t\t\t{\"containerID\": 0, \"hostID\": %u, \"size\": 1}\n"                                \
	"\t\t],\n"                                                                                 \
	"\t\t\"gidMappings\": [\n"                                                                 \
	"\t\t\t{\"containerID\": 0, \"hostID\": %u, \"size\": 1}\n"                                \
	"\t\t],\n"                                                                                 \
	"\t\t\"namespaces\": [\n"                                                                  \
	"\t\t\t{\"type\": \"pid\"},\n"                                                             \
	"\t\t\t{\"type\": \"ipc\"},\n"                                                             \
	"\t\t\t{\"type\": \"uts\"},\n"                                                             \
	"\t\t\t{\"type\": \"mount\"},\n"                                                           \
	"%s"                                                                                       \
	"\t\t\t{\"type\": \"user\"}\n"                                                             \
	"\t\t]\n"                                                                                  \
	"\t}\n"                                                                                    \
	"}\n"

/*
 * runc's spec adds the cgroup namespace only on a pure cgroup v2 host
 * (cgroups.IsCgroup2UnifiedMode), so that on v1 and hybrid hosts the
 * container's /proc/self/cgroup shows the real paths: `cgroupns` says which.
 */
char *husk_spec_template(bool rootless, bool cgroupns)
{
	char *out = NULL;
	char *end = NULL;
	int r;

	if (rootless)
		r = asprintf(&end, TAIL_ROOTLESS, (unsigned)geteuid(), (unsigned)getegid(),
			     cgroupns ? "\t\t\t{\"type\": \"cgroup\"},\n" : "");
	else
		r = asprintf(&end, TAIL, cgroupns ? ",\n\t\t\t{\"type\": \"cgroup\"}" : "");
	if (r < 0)
		return NULL;
	r = asprintf(&out, "%s%s%s%s%s%s", head, rootless ? devpts_opts_rootless : devpts_opts,
		     middle, rootless ? sysfs_rootless : sysfs, cgroup_and_paths, end);
	free(end);
	return r < 0 ? NULL : out;
}
