/* SPDX-License-Identifier: Apache-2.0 */
/* The configs of test-spec.c: JSON written with ' for ". */
#include <stddef.h>

#include "test-spec.h"

const struct bad_case bad[] = {
    /* invalid JSON */
    {"{", "config.json: invalid JSON: premature EOF"},
    {"{'a': 1}}", "config.json: invalid JSON: trailing garbage"},
    {"{'a' 1}", "config.json: invalid JSON: object key and value must be separated by a colon "
		"(':')"},
    {"[1]", "config.json: expected an object, got an array"},
    {CFG(", 'hostname': 'a\\u0000b'"),
     "config.json: hostname: invalid JSON: `\\u0000` in a string at line 1, column 67"},
    /* required fields */
    {"{'root': {'path': 'rootfs'}}", "config.json: ociVersion: missing required field"},
    {"{'ociVersion': 1, 'root': {'path': 'rootfs'}}",
     "config.json: ociVersion: expected a string, got a number"},
    {"{'ociVersion': '2.0.0', 'root': {'path': 'rootfs'}}",
     "config.json: ociVersion: unsupported version `2.0.0` (husk supports 1.x)"},
    {"{'ociVersion': 'latest', 'root': {'path': 'rootfs'}}",
     "config.json: ociVersion: `latest` is not a version"},
    {"{'ociVersion': '1.0.0'}", "config.json: root: missing required field"},
    {"{'ociVersion': '1.0.0', 'root': {}}", "config.json: root.path: missing required field"},
    {"{'ociVersion': '1.0.0', 'root': 'rootfs'}",
     "config.json: root: expected an object, got a string"},
    {CFG(", 'mounts': [{'destination': '/a'}, {'type': 'tmpfs'}]"),
     "config.json: mounts[1].destination: missing required field"},
    {CFG(", 'mounts': {}"), "config.json: mounts: expected an array, got an object"},
    {CFG(", 'mounts': [{'destination': '/a', 'options': ['ro', 7]}]"),
     "config.json: mounts[0].options[1]: expected a string, got a number"},
    {CFG(", 'process': {'user': {'uid': 0, 'gid': 0}, 'args': ['sh']}"),
     "config.json: process.cwd: missing required field"},
    {CFG(", 'process': {'cwd': 'tmp', 'user': {'uid': 0, 'gid': 0}}"),
     "config.json: process.cwd: `tmp` is not an absolute path"},
    {CFG(", 'process': {'cwd': '/'}"), "config.json: process.user: missing required field"},
    {CFG(", 'process': {'cwd': '/', 'user': {'gid': 0}}"),
     "config.json: process.user.uid: missing required field"},
    {CFG(", 'process': {'cwd': '/', 'user': {'uid': 0}}"),
     "config.json: process.user.gid: missing required field"},
    {CFG(", 'process': {'cwd': '/', 'user': {'uid': -1, 'gid': 0}}"),
     "config.json: process.user.uid: expected a uint32, got `-1`"},
    {CFG(", 'process': {'cwd': '/', 'user': {'uid': 4294967296, 'gid': 0}}"),
     "config.json: process.user.uid: expected a uint32, got `4294967296`"},
    {CFG(", 'process': {'cwd': '/', 'user': {'uid': 0, 'gid': 0, 'additionalGids': [1, 'x']}}"),
     "config.json: process.user.additionalGids[1]: expected a uint32, got a string"},
    {CFG(", 'process': {'cwd': '/', 'user': {'uid': 0.5, 'gid': 0}}"),
     "config.json: process.user.uid: expected a uint32, got `0.5`"},
    {CFG(PROC(", 'terminal': 'yes'")),
     "config.json: process.terminal: expected a boolean, got a string"},
    {CFG(PROC(", 'consoleSize': {'height': 10}")),
     "config.json: process.consoleSize.width: missing required field"},
    {CFG(", 'process': {'cwd': '/', 'user': {'uid': 0, 'gid': 0}, 'args': 'sh'}"),
     "config.json: process.args: expected an array, got a string"},
    {CFG(", 'process': {'cwd': '/', 'user': {'uid': 0, 'gid': 0}, 'args': ['sh', 1]}"),
     "config.json: process.args[1]: expected a string, got a number"},
    /* rlimits */
    {CFG(PROC(", 'rlimits': [{'soft': 1, 'hard': 1}]")),
     "config.json: process.rlimits[0].type: missing required field"},
    {CFG(PROC(", 'rlimits': [{'type': 'RLIMIT_CORE', 'hard': 1}]")),
     "config.json: process.rlimits[0].soft: missing required field"},
    {CFG(PROC(", 'rlimits': [{'type': 'RLIMIT_CORE', 'soft': 1}]")),
     "config.json: process.rlimits[0].hard: missing required field"},
    {CFG(PROC(", 'rlimits': [{'type': 'RLIMIT_FOO', 'soft': 1, 'hard': 1}]")),
     "config.json: process.rlimits[0].type: unknown rlimit `RLIMIT_FOO`"},
    {CFG(PROC(", 'rlimits': [{'type': 'RLIMIT_CORE', 'soft': 1.5, 'hard': 2}]")),
     "config.json: process.rlimits[0].soft: expected a uint64, got `1.5`"},
    {CFG(PROC(", 'rlimits': [{'type': 'RLIMIT_CORE', 'soft': 1e3, 'hard': 2}]")),
     "config.json: process.rlimits[0].soft: expected a uint64, got `1e3`"},
    {CFG(PROC(", 'rlimits': [{'type': 'RLIMIT_CORE', 'soft': -1, 'hard': 2}]")),
     "config.json: process.rlimits[0].soft: expected a uint64, got `-1`"},
    {CFG(PROC(", 'rlimits': [{'type': 'RLIMIT_CORE', 'soft': 1, "
	      "'hard': 18446744073709551616}]")),
     "config.json: process.rlimits[0].hard: expected a uint64, got `18446744073709551616`"},
    {CFG(PROC(", 'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1}, "
	      "{'type': 'RLIMIT_NOFILE', 'soft': 2, 'hard': 2}]")),
     "config.json: process.rlimits[1].type: duplicate rlimit `RLIMIT_NOFILE`"},
    /* process enums and ranges */
    /* unknown names are skipped with a warning (plan); what is not a string is refused */
    {CFG(PROC(", 'capabilities': {'bounding': ['CAP_KILL', 5]}")),
     "config.json: process.capabilities.bounding[1]: expected a string, got a number"},
    {CFG(PROC(", 'capabilities': {'ambient': 'CAP_KILL'}")),
     "config.json: process.capabilities.ambient: expected an array, got a string"},
    {CFG(PROC(", 'scheduler': {'policy': 'SCHED_FOO'}")),
     "config.json: process.scheduler.policy: unknown scheduler policy `SCHED_FOO`"},
    {CFG(PROC(", 'scheduler': {'nice': 1}")),
     "config.json: process.scheduler.policy: missing required field"},
    {CFG(PROC(", 'scheduler': {'policy': 'SCHED_RR', 'flags': ['SCHED_FLAG_X']}")),
     "config.json: process.scheduler.flags[0]: unknown scheduler flag `SCHED_FLAG_X`"},
    {CFG(PROC(", 'scheduler': {'policy': 'SCHED_RR', 'priority': 2147483648}")),
     "config.json: process.scheduler.priority: expected an int32, got `2147483648`"},
    {CFG(PROC(", 'ioPriority': {'class': 'IOPRIO_CLASS_X', 'priority': 0}")),
     "config.json: process.ioPriority.class: unknown ioPriority class `IOPRIO_CLASS_X`"},
    {CFG(PROC(", 'ioPriority': {'class': 'IOPRIO_CLASS_BE', 'priority': 8}")),
     "config.json: process.ioPriority.priority: `8` is out of range [0, 7]"},
    {CFG(PROC(", 'oomScoreAdj': 1001")),
     "config.json: process.oomScoreAdj: `1001` is out of range [-1000, 1000]"},
    {CFG(PROC(", 'execCPUAffinity': {'initial': '0-'}")),
     "config.json: process.execCPUAffinity.initial: invalid cpu list `0-`"},
    /* hooks */
    {CFG(", 'hooks': {'prestart': [{'args': ['x']}]}"),
     "config.json: hooks.prestart[0].path: missing required field"},
    {CFG(", 'hooks': {'poststop': [{'path': '/bin/true'}, {'path': 'hook.sh'}]}"),
     "config.json: hooks.poststop[1].path: `hook.sh` is not an absolute path"},
    {CFG(", 'hooks': {'createRuntime': [{'path': '/bin/true', 'timeout': 0}]}"),
     "config.json: hooks.createRuntime[0].timeout: must be greater than zero, got `0`"},
    {CFG(", 'hooks': {'startContainer': [{'path': '/bin/true', 'timeout': -5}]}"),
     "config.json: hooks.startContainer[0].timeout: must be greater than zero, got `-5`"},
    {CFG(", 'annotations': {'io.x': 1}"),
     "config.json: annotations[\"io.x\"]: expected a string, got a number"},
    /* linux */
    {CFG(", 'linux': {'namespaces': [{'type': 'pid'}, {'path': '/proc/1/ns/net'}]}"),
     "config.json: linux.namespaces[1].type: missing required field"},
    {CFG(", 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'mount'}, {'type': 'foo'}]}"),
     "config.json: linux.namespaces[2].type: unknown namespace `foo`"},
    {CFG(", 'linux': {'namespaces': [{'type': 'a\\nb'}]}"),
     "config.json: linux.namespaces[0].type: unknown namespace `a\\nb`"},
    {CFG(LINUX(", 'sysctl': {'x\\ny': '1'}")),
     "config.json: linux.sysctl[\"x\\ny\"]: `x\\ny` is not in a separate kernel namespace"},
    {CFG(", 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'pid'}]}"),
     "config.json: linux.namespaces[1].type: duplicate namespace `pid`"},
    {CFG(", 'linux': {'namespaces': [{'type': 'mount'}, {'type': 'network', 'path': 'netns/x'}]}"),
     "config.json: linux.namespaces[1].path: `netns/x` is not an absolute path"},
    {CFG(LINUX(", 'devices': [{'type': 'c', 'major': 1, 'minor': 3}]")),
     "config.json: linux.devices[0].path: missing required field"},
    {CFG(LINUX(", 'devices': [{'path': '/dev/null', 'major': 1, 'minor': 3}]")),
     "config.json: linux.devices[0].type: missing required field"},
    {CFG(LINUX(", 'devices': [{'type': 'x', 'path': '/dev/null', 'major': 1, 'minor': 3}]")),
     "config.json: linux.devices[0].type: unknown device type `x` (c, b, u or p)"},
    {CFG(LINUX(", 'devices': [{'type': 'c', 'path': '/dev/null', 'minor': 3}]")),
     "config.json: linux.devices[0].major: missing required field"},
    {CFG(LINUX(", 'devices': [{'type': 'c', 'path': 'null', 'major': 1, 'minor': 3}]")),
     "config.json: linux.devices[0].path: `null` is not an absolute path"},
    {CFG(LINUX(", 'uidMappings': [{'containerID': 0, 'hostID': 1000}]")),
     "config.json: linux.uidMappings[0].size: missing required field"},
    {CFG(LINUX(", 'maskedPaths': ['/proc/kcore', 'proc/keys']")),
     "config.json: linux.maskedPaths[1]: `proc/keys` is not an absolute path"},
    {CFG(LINUX(", 'readonlyPaths': ['']")),
     "config.json: linux.readonlyPaths[0]: `` is not an absolute path"},
    {CFG(LINUX(", 'rootfsPropagation': 'weird'")),
     "config.json: linux.rootfsPropagation: unknown rootfs propagation `weird`"},
    {CFG(LINUX(", 'personality': {'domain': 'BSD'}")),
     "config.json: linux.personality.domain: unknown personality domain `BSD`"},
    {CFG(LINUX(", 'timeOffsets': {'realtime': {'secs': 1}}")),
     "config.json: linux.timeOffsets.realtime: unknown clock `realtime` (monotonic or "
     "boottime)"},
    {CFG(LINUX(", 'memoryPolicy': {'mode': 'MPOL_X'}")),
     "config.json: linux.memoryPolicy.mode: unknown memory policy mode `MPOL_X`"},
    {CFG(LINUX(", 'sysctl': {'net.core.somaxconn': 256}")),
     "config.json: linux.sysctl[\"net.core.somaxconn\"]: expected a string, got a number"},
    /* resources */
    {CFG(LINUX(", 'resources': {'memory': {'limit': 9223372036854775808}}")),
     "config.json: linux.resources.memory.limit: expected an int64, got `9223372036854775808`"},
    {CFG(LINUX(", 'resources': {'memory': {'swap': -9223372036854775809}}")),
     "config.json: linux.resources.memory.swap: expected an int64, got `-9223372036854775809`"},
    {CFG(LINUX(", 'resources': {'memory': {'swappiness': 101}}")),
     "config.json: linux.resources.memory.swappiness: `101` is out of range [0, 100]"},
    {CFG(LINUX(", 'resources': {'devices': [{'access': 'rwm'}]}")),
     "config.json: linux.resources.devices[0].allow: missing required field"},
    {CFG(LINUX(", 'resources': {'devices': [{'allow': true, 'type': 'x'}]}")),
     "config.json: linux.resources.devices[0].type: unknown device type `x` (a, b or c)"},
    {CFG(LINUX(", 'resources': {'devices': [{'allow': true, 'access': 'rwx'}]}")),
     "config.json: linux.resources.devices[0].access: invalid access `rwx` (a subset of rwm)"},
    {CFG(LINUX(", 'resources': {'blockIO': {'weight': 70000}}")),
     "config.json: linux.resources.blockIO.weight: expected a uint16, got `70000`"},
    {CFG(LINUX(", 'resources': {'blockIO': {'throttleReadBpsDevice': [{'major': 8, 'rate': 1}]}}")),
     "config.json: linux.resources.blockIO.throttleReadBpsDevice[0].minor: missing required "
     "field"},
    {CFG(LINUX(", 'resources': {'hugepageLimits': [{'pageSize': '2MB'}]}")),
     "config.json: linux.resources.hugepageLimits[0].limit: missing required field"},
    {CFG(LINUX(", 'resources': {'rdma': {'mlx5_1': {'hcaHandles': -3}}}")),
     "config.json: linux.resources.rdma.mlx5_1.hcaHandles: expected a uint32, got `-3`"},
    {CFG(LINUX(", 'resources': {'pids': {'limit': 'max'}}")),
     "config.json: linux.resources.pids.limit: expected an int64, got a string"},
    /* seccomp */
    {CFG(LINUX(", 'seccomp': {'architectures': ['SCMP_ARCH_X86_64']}")),
     "config.json: linux.seccomp.defaultAction: missing required field"},
    {CFG(LINUX(", 'seccomp': {'defaultAction': 'SCMP_ACT_FOO'}")),
     "config.json: linux.seccomp.defaultAction: unknown seccomp action `SCMP_ACT_FOO`"},
    {CFG(LINUX(", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': "
	       "['SCMP_ARCH_FOO']}")),
     "config.json: linux.seccomp.architectures[0]: unknown seccomp architecture `SCMP_ARCH_FOO`"},
    {CFG(LINUX(", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_X']}")),
     "config.json: linux.seccomp.flags[0]: unknown seccomp flag `SECCOMP_X`"},
    {CFG(LINUX(", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': "
	       "[{'action': 'SCMP_ACT_ERRNO'}]}")),
     "config.json: linux.seccomp.syscalls[0].names: missing required field"},
    {CFG(LINUX(", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': "
	       "[{'names': [], 'action': 'SCMP_ACT_ERRNO'}]}")),
     "config.json: linux.seccomp.syscalls[0].names: must not be empty"},
    {CFG(LINUX(", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': "
	       "[{'names': ['read'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, "
	       "'value': 1, 'op': 'SCMP_CMP_XX'}]}]}")),
     "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator `SCMP_CMP_XX`"},
    {CFG(LINUX(", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': "
	       "[{'names': ['read'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 6, "
	       "'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}")),
     "config.json: linux.seccomp.syscalls[0].args[0].index: `6` is out of range [0, 5]"},
    {CFG(LINUX(", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': "
	       "[{'names': ['read'], 'action': 'SCMP_ACT_NOTIFY'}]}")),
     "config.json: linux.seccomp.syscalls[0].action: `SCMP_ACT_NOTIFY` needs "
     "linux.seccomp.listenerPath"},
    /* the remaining required fields */
    {CFG(PROC(", 'consoleSize': {'width': 10}")),
     "config.json: process.consoleSize.height: missing required field"},
    {CFG(LINUX(", 'devices': [{'type': 'b', 'path': '/dev/sda', 'major': 8}]")),
     "config.json: linux.devices[0].minor: missing required field"},
    {CFG(LINUX(", 'uidMappings': [{'hostID': 1000, 'size': 1}]")),
     "config.json: linux.uidMappings[0].containerID: missing required field"},
    {CFG(LINUX(", 'gidMappings': [{'containerID': 0, 'size': 1}]")),
     "config.json: linux.gidMappings[0].hostID: missing required field"},
    {CFG(PROC(", 'ioPriority': {'class': 'IOPRIO_CLASS_RT'}")),
     "config.json: process.ioPriority.priority: missing required field"},
    {CFG(PROC(", 'ioPriority': {'priority': 1}")),
     "config.json: process.ioPriority.class: missing required field"},
    {CFG(LINUX(", 'personality': {'flags': []}")),
     "config.json: linux.personality.domain: missing required field"},
    {CFG(LINUX(", 'memoryPolicy': {'nodes': '0'}")),
     "config.json: linux.memoryPolicy.mode: missing required field"},
    {CFG(LINUX(", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': "
	       "['read']}]}")),
     "config.json: linux.seccomp.syscalls[0].action: missing required field"},
    {CFG(LINUX(
	 ", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': "
	 "['read'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}")),
     "config.json: linux.seccomp.syscalls[0].args[0].index: missing required field"},
    {CFG(LINUX(
	 ", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': "
	 "['read'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 1, 'op': 'SCMP_CMP_EQ'}]}]}")),
     "config.json: linux.seccomp.syscalls[0].args[0].value: missing required field"},
    {CFG(LINUX(", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': "
	       "['read'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 1, 'value': 1}]}]}")),
     "config.json: linux.seccomp.syscalls[0].args[0].op: missing required field"},
    {CFG(LINUX(", 'seccomp': {'defaultAction': 'SCMP_ACT_NOTIFY', 'listenerPath': '/l'}")),
     "config.json: linux.seccomp.defaultAction: `SCMP_ACT_NOTIFY` cannot be the default action"},
    {CFG(LINUX(", 'resources': {'hugepageLimits': [{'limit': 1}]}")),
     "config.json: linux.resources.hugepageLimits[0].pageSize: missing required field"},
    {CFG(LINUX(", 'resources': {'network': {'priorities': [{'priority': 1}]}}")),
     "config.json: linux.resources.network.priorities[0].name: missing required field"},
    {CFG(LINUX(", 'resources': {'network': {'priorities': [{'name': 'eth0'}]}}")),
     "config.json: linux.resources.network.priorities[0].priority: missing required field"},
    {CFG(LINUX(", 'resources': {'blockIO': {'weightDevice': [{'minor': 0, 'weight': 1}]}}")),
     "config.json: linux.resources.blockIO.weightDevice[0].major: missing required field"},
    {CFG(LINUX(", 'resources': {'blockIO': {'throttleWriteBpsDevice': [{'major': 8, "
	       "'minor': 0}]}}")),
     "config.json: linux.resources.blockIO.throttleWriteBpsDevice[0].rate: missing required "
     "field"},
    {CFG(", 'hooks': {'poststart': {'path': '/bin/true'}}"),
     "config.json: hooks.poststart: expected an array, got an object"},
    {CFG(", 'hooks': {'poststart': ['/bin/true']}"),
     "config.json: hooks.poststart[0]: expected an object, got a string"},
    {CFG(", 'hooks': {'poststart': [{'path': '/bin/true', 'timeout': 1.5}]}"),
     "config.json: hooks.poststart[0].timeout: expected an int32, got `1.5`"},
    {CFG(LINUX(", 'timeOffsets': {'boottime': {'nanosecs': 1000000000}}")),
     "config.json: linux.timeOffsets.boottime.nanosecs: `1000000000` is out of range [0, "
     "999999999]"},
    /* impossible combinations */
    {CFG(", 'linux': {'namespaces': [{'type': 'user', 'path': '/proc/1/ns/user'}], "
	 "'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]}"),
     "config.json: linux.uidMappings: mappings together with a user namespace path"},
    {CFG(LINUX(", 'gidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]")),
     "config.json: linux.gidMappings: mappings without a user namespace"},
    {CFG(", 'linux': {'namespaces': [{'type': 'user'}]}"),
     "config.json: linux.uidMappings: required with a new user namespace"},
    {CFG(", 'linux': {'namespaces': [{'type': 'user'}], 'uidMappings': [{'containerID': 0, "
	 "'hostID': 1000, 'size': 1}]}"),
     "config.json: linux.gidMappings: required with a new user namespace"},
    {CFG(LINUX(", 'timeOffsets': {'monotonic': {'secs': 10}}")),
     "config.json: linux.timeOffsets: offsets without a time namespace"},
    {CFG(", 'linux': {'namespaces': [{'type': 'time', 'path': '/proc/1/ns/time'}], "
	 "'timeOffsets': {'boottime': {'secs': 10}}}"),
     "config.json: linux.timeOffsets: offsets together with a time namespace path"},
    {CFG(", 'hostname': 'box'"), "config.json: hostname: needs a UTS namespace"},
    {CFG(", 'domainname': 'example.org'"), "config.json: domainname: needs a UTS namespace"},
    /* kernel.hostname/domainname against the fields: a different value conflicts */
    {CFG(", 'hostname': 'aa', 'linux': {'namespaces': [{'type': 'uts'}], "
	 "'sysctl': {'kernel.hostname': 'bb'}}"),
     "config.json: linux.sysctl[\"kernel.hostname\"]: `bb` conflicts with hostname `aa` (set "
     "one, or both to the same value)"},
    {CFG(", 'domainname': 'dd', 'linux': {'namespaces': [{'type': 'uts'}], "
	 "'sysctl': {'kernel/domainname': 'ee'}}"),
     "config.json: linux.sysctl[\"kernel/domainname\"]: `ee` conflicts with domainname `dd` "
     "(set one, or both to the same value)"},
    {CFG(LINUX(", 'sysctl': {'net.ipv4.ip_forward': '1'}")),
     "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: needs a network namespace"},
    {CFG(LINUX(", 'sysctl': {'kernel.shmmax': '1'}")),
     "config.json: linux.sysctl[\"kernel.shmmax\"]: needs an IPC namespace"},
    {CFG(", 'linux': {'namespaces': [{'type': 'network'}, {'type': 'ipc'}], 'sysctl': "
	 "{'vm.swappiness': '1'}}"),
     "config.json: linux.sysctl[\"vm.swappiness\"]: `vm.swappiness` is not in a separate kernel "
     "namespace"},
    {CFG(", 'linux': {'maskedPaths': ['/proc/kcore']}"),
     "config.json: linux.maskedPaths: needs a mount namespace"},
    /* ids: 0..2147483647 ((uid_t)-1 means "unchanged" to setresuid: it ran as root) */
    {CFG(", 'process': {'cwd': '/', 'user': {'uid': 4294967295, 'gid': 0}}"),
     "config.json: process.user.uid: `4294967295` is out of range [0, 2147483647]"},
    {CFG(", 'process': {'cwd': '/', 'user': {'uid': 0, 'gid': 4294967295}}"),
     "config.json: process.user.gid: `4294967295` is out of range [0, 2147483647]"},
    {CFG(", 'process': {'cwd': '/', 'user': {'uid': 2147483648, 'gid': 0}}"),
     "config.json: process.user.uid: `2147483648` is out of range [0, 2147483647]"},
    {CFG(", 'process': {'cwd': '/', 'user': {'uid': 0, 'gid': 0, 'additionalGids': [1, "
	 "4294967295]}}"),
     "config.json: process.user.additionalGids[1]: `4294967295` is out of range [0, 2147483647]"},
    {CFG(", 'linux': {'namespaces': [{'type': 'user'}], 'uidMappings': [{'containerID': 0, "
	 "'hostID': 4294967295, 'size': 1}]}"),
     "config.json: linux.uidMappings[0].hostID: `4294967295` is out of range [0, 2147483647]"},
    {CFG(", 'linux': {'namespaces': [{'type': 'user'}], 'gidMappings': [{'containerID': "
	 "4294967295, 'hostID': 0, 'size': 1}]}"),
     "config.json: linux.gidMappings[0].containerID: `4294967295` is out of range [0, "
     "2147483647]"},
    {CFG(", 'linux': {'namespaces': [{'type': 'user'}], 'uidMappings': [{'containerID': 0, "
	 "'hostID': 0, 'size': 0}]}"),
     "config.json: linux.uidMappings[0].size: `0` is out of range [1, 2147483648]"},
    {CFG(", 'linux': {'namespaces': [{'type': 'user'}], 'uidMappings': [{'containerID': 0, "
	 "'hostID': 0, 'size': 4294967295}]}"),
     "config.json: linux.uidMappings[0].size: `4294967295` is out of range [1, 2147483648]"},
    {CFG(", 'linux': {'namespaces': [{'type': 'user'}], 'uidMappings': [{'containerID': 0, "
	 "'hostID': 2147483000, 'size': 65536}]}"),
     "config.json: linux.uidMappings[0].size: `65536` ids from hostID `2147483000` go past "
     "2147483647 (uids and gids must be in range 0-2147483647)"},
    {CFG(", 'linux': {'namespaces': [{'type': 'user'}], 'gidMappings': [{'containerID': "
	 "2147483647, 'hostID': 0, 'size': 2}]}"),
     "config.json: linux.gidMappings[0].size: `2` ids from containerID `2147483647` go past "
     "2147483647 (uids and gids must be in range 0-2147483647)"},
    {CFG(", 'mounts': [{'destination': '/a', 'uidMappings': [{'containerID': 0, 'hostID': "
	 "4294967295, 'size': 1}]}]"),
     "config.json: mounts[0].uidMappings[0].hostID: `4294967295` is out of range [0, "
     "2147483647]"},
    {CFG(LINUX(", 'devices': [{'type': 'c', 'path': '/dev/x', 'major': 1, 'minor': 3, 'uid': "
	       "4294967295}]")),
     "config.json: linux.devices[0].uid: `4294967295` is out of range [0, 2147483647]"},
    /* devices: what mknod's 32-bit dev_t holds (12-bit major, 20-bit minor) */
    {CFG(LINUX(", 'devices': [{'type': 'c', 'path': '/dev/x', 'major': 4294967297, 'minor': 3}]")),
     "config.json: linux.devices[0].major: `4294967297` is out of range [0, 4095]"},
    {CFG(LINUX(", 'devices': [{'type': 'c', 'path': '/dev/x', 'major': 4096, 'minor': 3}]")),
     "config.json: linux.devices[0].major: `4096` is out of range [0, 4095]"},
    {CFG(LINUX(", 'devices': [{'type': 'c', 'path': '/dev/x', 'major': 1, 'minor': 4294967296}]")),
     "config.json: linux.devices[0].minor: `4294967296` is out of range [0, 1048575]"},
    {CFG(LINUX(", 'devices': [{'type': 'b', 'path': '/dev/x', 'major': 1, 'minor': -1}]")),
     "config.json: linux.devices[0].minor: `-1` is out of range [0, 1048575]"},
    /* consoleSize: struct winsize holds unsigned shorts */
    {CFG(PROC(", 'consoleSize': {'height': 70000, 'width': 80}")),
     "config.json: process.consoleSize.height: `70000` is out of range [0, 65535]"},
    {CFG(PROC(", 'consoleSize': {'height': 25, 'width': 65536}")),
     "config.json: process.consoleSize.width: `65536` is out of range [0, 65535]"},
    /* cpu.shares: the kernel's range, the same on v1 and v2 */
    {CFG(LINUX(", 'resources': {'cpu': {'shares': 18446744073709551615}}")),
     "config.json: linux.resources.cpu.shares: `18446744073709551615` is out of range [2, "
     "262144]"},
    {CFG(LINUX(", 'resources': {'cpu': {'shares': 262145}}")),
     "config.json: linux.resources.cpu.shares: `262145` is out of range [2, 262144]"},
    {CFG(LINUX(", 'resources': {'cpu': {'shares': 1}}")),
     "config.json: linux.resources.cpu.shares: `1` is out of range [2, 262144]"},
    /* memory: swap (memory + swap) against the limit, the same on v1 and v2 */
    {CFG(LINUX(", 'resources': {'memory': {'limit': 2097152, 'swap': 1048576}}")),
     "config.json: linux.resources.memory.swap: `1048576` is below the memory limit `2097152` "
     "(swap is memory + swap)"},
    {CFG(LINUX(", 'resources': {'memory': {'swap': 1048576}}")),
     "config.json: linux.resources.memory.swap: `1048576` needs a memory limit (memory.limit)"},
    {CFG(LINUX(", 'resources': {'memory': {'limit': -1, 'swap': 1048576}}")),
     "config.json: linux.resources.memory.swap: `1048576` needs a memory limit (memory.limit)"},
    /* capabilities: effective must be permitted (capset refuses it) */
    {CFG(PROC(", 'capabilities': {'effective': ['CAP_KILL']}")),
     "config.json: process.capabilities.effective[0]: `CAP_KILL` is not in "
     "capabilities.permitted (permitted is empty)"},
    {CFG(PROC(", 'capabilities': {'effective': ['CAP_KILL', 'CAP_CHOWN'], 'permitted': null}")),
     "config.json: process.capabilities.effective[0]: `CAP_KILL` is not in "
     "capabilities.permitted (permitted is empty)"},
    {CFG(PROC(", 'capabilities': {'effective': ['CAP_KILL', 'CAP_CHOWN'], 'permitted': "
	      "['CAP_KILL']}")),
     "config.json: process.capabilities.effective[1]: `CAP_CHOWN` is not in "
     "capabilities.permitted"},
    /* sethostname and setdomainname take at most 64 bytes */
    {CFG(", 'hostname': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'" LINUX(
	 "")),
     "config.json: hostname: `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa` "
     "is longer than 64 bytes"},
    {CFG(", 'domainname': "
	 "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'" LINUX("")),
     "config.json: domainname: `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa` "
     "is longer than 64 bytes"},
    /* huge values are cut in messages (one line, a few hundred bytes) */
    {CFG(LINUX(", 'devices': [{'type': 'c', 'path': '/dev/x', 'major': "
	       "1000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	       "0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	       "0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	       "0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	       ", 'minor': 3}]")),
     "config.json: linux.devices[0].major: expected an int64, got "
     "`1000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000\xe2\x80\xa6`"},
};

const struct supp_case unsupported[] = {
    {CFG(LINUX(", 'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW'}")), "linux.seccomp",
     "config.json: linux.seccomp: not supported yet"},
    {CFG(PROC(", 'apparmorProfile': 'x'") LINUX("")), "process.apparmorProfile",
     "config.json: process.apparmorProfile: not supported yet"},
    {CFG(PROC(", 'selinuxLabel': 'system_u:system_r:container_t:s0'") LINUX("")),
     "process.selinuxLabel", "config.json: process.selinuxLabel: not supported yet"},
    {CFG(LINUX(", 'mountLabel': 'system_u:object_r:container_file_t:s0'")), "linux.mountLabel",
     "config.json: linux.mountLabel: not supported yet"},
    {CFG(LINUX(", 'intelRdt': {'closID': 'g1'}")), "linux.intelRdt",
     "config.json: linux.intelRdt: not supported yet"},
    {CFG(LINUX(", 'memoryPolicy': {'mode': 'MPOL_BIND', 'nodes': '0'}")), "linux.memoryPolicy",
     "config.json: linux.memoryPolicy: not supported yet"},
    {CFG(LINUX(", 'netDevices': {'eth1': {'name': 'eth0'}}")), "linux.netDevices",
     "config.json: linux.netDevices: not supported yet"},
    {CFG(", 'mounts': [{'destination': '/a'}, {'destination': '/b', 'uidMappings': "
	 "[{'containerID': 0, 'hostID': 1, 'size': 1}]}]" LINUX("")),
     "mounts.uidMappings", "config.json: mounts[1].uidMappings: not supported yet"},
    {CFG(", 'process': {'cwd': '/', 'user': {'uid': 0, 'gid': 0}, 'args': []}" LINUX("")), NULL,
     "config.json: process.args: must not be empty"},
    {CFG(", 'process': {'cwd': '/', 'user': {'uid': 0, 'gid': 0}}" LINUX("")), NULL,
     "config.json: process.args: must not be empty"},
};

const size_t n_bad = sizeof bad / sizeof bad[0];
const size_t n_unsupported = sizeof unsupported / sizeof unsupported[0];

const char full[] =
    "{'ociVersion': '1.3.0', 'root': {'path': '/var/rootfs', 'readonly': true},"
    " 'hostname': 'box', 'domainname': 'example.org', 'unknownField': {'x': [1, 2]},"
    " 'mounts': [{'destination': '/tmp', 'type': 'tmpfs', 'source': 'tmpfs',"
    "   'options': ['nosuid', 'mode=755']}, {'destination': '/data', 'source': '/srv',"
    "   'options': ['rbind', 'rro']}],"
    " 'process': {'terminal': true, 'consoleSize': {'height': 25, 'width': 80},"
    "   'user': {'uid': 1000, 'gid': 2147483647, 'umask': 18, 'additionalGids': [5, 6]},"
    "   'args': ['sh', '-c', 'echo hi'], 'env': ['PATH=/bin', 'TERM=xterm'], 'cwd': '/root',"
    "   'capabilities': {'bounding': ['CAP_KILL', 'CAP_CHOWN'], 'effective': ['CAP_KILL'],"
    "     'inheritable': [], 'permitted': ['CAP_KILL'], 'ambient': ['CAP_KILL']},"
    "   'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1024, 'hard': 18446744073709551615},"
    "     {'type': 'RLIMIT_CORE', 'soft': 9223372036854775808, 'hard': 18446744073709551615}],"
    "   'noNewPrivileges': true, 'oomScoreAdj': -1000,"
    "   'scheduler': {'policy': 'SCHED_DEADLINE', 'nice': -20, 'priority': 0,"
    "     'flags': ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_RECLAIM'],"
    "     'runtime': 10000000, 'deadline': 18446744073709551615, 'period': 30000000},"
    "   'ioPriority': {'class': 'IOPRIO_CLASS_IDLE', 'priority': 7},"
    "   'execCPUAffinity': {'initial': '0', 'final': '0-1,3'}},"
    " 'hooks': {'prestart': [{'path': '/bin/a'}], 'createRuntime': [{'path': '/bin/b',"
    "   'args': ['b', '1'], 'env': ['X=1'], 'timeout': 5}], 'poststop': [{'path': '/bin/c'},"
    "   {'path': '/bin/d'}]},"
    " 'annotations': {'io.x': 'y', 'k': ''},"
    " 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'network', 'path': '/run/netns/n'},"
    "   {'type': 'mount'}, {'type': 'ipc'}, {'type': 'uts'}, {'type': 'user'},"
    "   {'type': 'cgroup'}, {'type': 'time'}],"
    "   'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
    "   'gidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536},"
    "     {'containerID': 65536, 'hostID': 2147483647, 'size': 1}],"
    "   'timeOffsets': {'monotonic': {'secs': -9223372036854775808, 'nanosecs': 999999999},"
    "     'boottime': {'secs': 9223372036854775807}},"
    "   'devices': [{'type': 'c', 'path': '/dev/fuse', 'major': 10, 'minor': 229,"
    "     'fileMode': 438, 'uid': 0, 'gid': 0}, {'type': 'p', 'path': '/dev/fifo'}],"
    "   'cgroupsPath': '/husk-test/x',"
    "   'resources': {'devices': [{'allow': false, 'access': 'rwm'}, {'allow': true,"
    "       'type': 'c', 'major': 10, 'minor': 229, 'access': 'rw'}],"
    "     'memory': {'limit': 536870912, 'reservation': 1, 'swap': -1, 'kernel': 0,"
    "       'kernelTCP': 9223372036854775807, 'swappiness': 0, 'disableOOMKiller': true,"
    "       'useHierarchy': false, 'checkBeforeUpdate': true},"
    "     'cpu': {'shares': 262144, 'quota': -9223372036854775808,"
    "       'burst': 1, 'period': 100000, 'realtimeRuntime': 950000, 'realtimePeriod': 1000000,"
    "       'cpus': '0-1', 'mems': '0', 'idle': 1},"
    "     'pids': {'limit': -1},"
    "     'blockIO': {'weight': 10, 'leafWeight': 65535, 'weightDevice': [{'major': 8,"
    "       'minor': 0, 'weight': 500}], 'throttleReadBpsDevice': [{'major': 8, 'minor': 0,"
    "       'rate': 18446744073709551615}], 'throttleWriteIOPSDevice': [{'major': 8,"
    "       'minor': 16, 'rate': 300}]},"
    "     'hugepageLimits': [{'pageSize': '2MB', 'limit': 9223372036854772000}],"
    "     'network': {'classID': 1048577, 'priorities': [{'name': 'eth0', 'priority': 500}]},"
    "     'rdma': {'mlx5_1': {'hcaHandles': 3, 'hcaObjects': 10000}},"
    "     'unified': {'io.weight': '100', 'memory.high': '1G'}},"
    "   'rootfsPropagation': 'rslave',"
    "   'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,"
    "     'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],"
    "     'flags': ['SECCOMP_FILTER_FLAG_LOG'], 'listenerPath': '/run/l.sock',"
    "     'syscalls': [{'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'},"
    "       {'names': ['personality'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1, 'args':"
    "         [{'index': 0, 'value': 18446744073709551615, 'valueTwo': 2,"
    "         'op': 'SCMP_CMP_MASKED_EQ'}]}]},"
    "   'sysctl': {'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1000',"
    "     'kernel.domainname': 'example.org', 'fs.mqueue.queues_max': '10'},"
    "   'maskedPaths': ['/proc/kcore'], 'readonlyPaths': ['/proc/sys', '/proc/bus'],"
    "   'personality': {'domain': 'LINUX32', 'flags': []}}}";
