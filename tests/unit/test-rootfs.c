/* SPDX-License-Identifier: Apache-2.0 */
/*
 * husk_rootfs_setup/finalize for real: each scenario runs in a forked child
 * with its own mount namespace and a scratch tmpfs (a busybox rootfs and the
 * "host" side of bind mounts live there), sets up a rootfs from a hand-built
 * spec, then checks from inside (mountinfo, statfs, stat, open, exec).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rootfs-helpers.h"
#include "process/pipeline.h"
#include "rootfs/mounts.h"

#ifndef MQUEUE_MAGIC
#define MQUEUE_MAGIC 0x19800202
#endif

#define OPTS(...) ((char *[]){__VA_ARGS__, NULL})
#define MNT(d, t, s, o)                                                                            \
	{                                                                                          \
		.destination = (char *)(d), .type = (char *)(t), .source = (char *)(s),            \
		.options = (o)                                                                     \
	}

/* Whether the scratch tmpfs can be idmapped (scratch_idmap_support; set once in main) */
static bool idmap_ok = true;
#define NO_IDMAP_WHY "the scratch tmpfs does not support idmapped mounts (Linux >= 6.3)"

static bool is_ro(const char *path)
{
	struct statvfs sv;
	return statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

static bool fs_is(const char *path, long magic)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && sf.f_type == magic;
}

static void check_node(const char *path, mode_t type, unsigned maj, unsigned min, mode_t mode,
		       uid_t uid, gid_t gid)
{
	struct stat st;
	int r = lstat(path, &st);

	report(r == 0 && (st.st_mode & S_IFMT) == type && (st.st_mode & 07777) == mode &&
		   (type == S_IFIFO || st.st_rdev == makedev(maj, min)) && st.st_uid == uid &&
		   st.st_gid == gid,
	       "%s: type %o %u:%u mode %o owner %u:%u (got %o %u:%u %o %u:%u)", path, type, maj,
	       min, mode, uid, gid, r ? 0 : st.st_mode & S_IFMT, r ? 0 : major(st.st_rdev),
	       r ? 0 : minor(st.st_rdev), r ? 0 : st.st_mode & 07777, r ? 0 : st.st_uid,
	       r ? 0 : st.st_gid);
}

static void check_link(const char *path, const char *target)
{
	char buf[256];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n >= 0)
		buf[n] = '\0';
	report(n >= 0 && strcmp(buf, target) == 0, "%s -> %s", path, target);
}

static bool read_is(const char *path, const char *want)
{
	char buf[64] = {0};
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd >= 0 && read(fd, buf, sizeof(buf) - 1) >= 0 && strcmp(buf, want) == 0;
}

/* exec `path` (as `true`) in a child; its exit status or -errno of execve */
static int try_exec(const char *path)
{
	int pfd[2], e = 0, status;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0 || (pid = fork()) < 0)
		return -EIO;
	if (pid == 0) {
		char *argv[] = {(char *)"true", NULL};
		execve(path, argv, (char *[]){NULL});
		e = errno;
		(void)!write(pfd[1], &e, sizeof(e));
		_exit(127);
	}
	close(pfd[1]);
	if (read(pfd[0], &e, sizeof(e)) != sizeof(e))
		e = 0;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	return e ? -e : WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static bool setup(const struct husk_spec *spec, const struct husk_rootfs_opts *o)
{
	struct husk_error err = {0};
	int r = husk_rootfs_setup(spec, o, &err);

	if (r == 0)
		r = husk_rootfs_finalize(spec, o, &err);
	report(r == 0, "rootfs setup # %s", err.msg ? err.msg : "");
	free(err.msg);
	return r == 0;
}

/* ---- the big one: most mount options, devices, masked/readonly paths ---- */

struct full_paths {
	char root[256], hostdir[256], hostfile[256], rsrc[256], victim[512], victim2[512];
	bool kcore;
};

static void full_checks(const struct full_paths *fp);

static void scenario_full(const char *base, void *arg)
{
	bool walk = arg != NULL;
	struct full_paths fp;
	char *root = fp.root, *hostdir = fp.hostdir, *hostfile = fp.hostfile, *rsrc = fp.rsrc;
	char *victim = fp.victim, *victim2 = fp.victim2, p[600], evil2[600];

	snprintf(fp.root, sizeof(fp.root), "%s/root", base);
	snprintf(fp.hostdir, sizeof(fp.hostdir), "%s/hostdir", base);
	snprintf(fp.hostfile, sizeof(fp.hostfile), "%s/hostfile", base);
	snprintf(fp.rsrc, sizeof(fp.rsrc), "%s/rsrc", base);
	snprintf(fp.victim, sizeof(fp.victim), "%s/victim", base);
	snprintf(fp.victim2, sizeof(fp.victim2), "%s/victim2", base);
	if (walk) {
		report_errno(block_openat2(), "seccomp filter against openat2");
		report(syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0) < 0 && errno == ENOSYS,
		       "openat2 now fails with ENOSYS");
	}
	if (make_rootfs(root) < 0) {
		report_errno(-1, "make rootfs");
		return;
	}
	snprintf(p, sizeof(p), "%s/sub/x", rsrc);
	put_file(p, "x");
	snprintf(p, sizeof(p), "%s/sub", rsrc);
	mount("tmpfs", p, "tmpfs", 0, NULL);
	snprintf(p, sizeof(p), "%s/hello", hostdir);
	put_file(p, "hi");
	put_file(hostfile, "file");
	snprintf(p, sizeof(p), "%s/marker", victim);
	put_file(p, "host");
	/* rootfs/evil -> absolute host path; rootfs/evil2 -> ../../.. to the host */
	snprintf(p, sizeof(p), "%s/evil", root);
	symlink(victim, p);
	snprintf(p, sizeof(p), "%s/evil2", root);
	snprintf(evil2, sizeof(evil2), "../../../../../../..%s", victim2);
	symlink(evil2, p);
	snprintf(p, sizeof(p), "%s/masked-dir/secret", root);
	put_file(p, "secret");
	snprintf(p, sizeof(p), "%s/ro-dir/f", root);
	put_file(p, "f");
	snprintf(p, sizeof(p), "%s/etc/passwd", root);
	put_file(p, "root:x:0:0::/:/bin/sh\n");
	snprintf(p, sizeof(p), "%s/etc/masked-file", root);
	put_file(p, "secret");
	snprintf(p, sizeof(p), "%s/etc/sub/deep", root);
	put_file(p, "deep");
	chmod(p, 0600);
	chown(p, 1000, 1002);
	snprintf(p, sizeof(p), "%s/etc/link", root);
	symlink("passwd", p);
	fp.kcore = access("/proc/kcore", F_OK) == 0;
	full_checks(&fp);
}

static void full_checks(const struct full_paths *fp)
{
	const char *root = fp->root, *hostdir = fp->hostdir, *hostfile = fp->hostfile;
	const char *rsrc = fp->rsrc, *victim = fp->victim, *victim2 = fp->victim2;
	bool kcore = fp->kcore;
	char p[600], buf[128];
	struct husk_mountinfo mi;
	const struct husk_mountinfo_entry *e;
	struct statfs sf;
	struct stat st;
	struct husk_id_mapping idm = {.container_id = 0, .host_id = 1000, .size = 1};
	int r;
	struct husk_mount mounts[] = {
	    MNT("/proc", "proc", "proc", OPTS("nosuid", "noexec", "nodev")),
	    MNT("/dev", "tmpfs", "tmpfs", OPTS("nosuid", "strictatime", "mode=755", "size=65536k")),
	    MNT("/dev/pts", "devpts", "devpts",
		OPTS("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620")),
	    MNT("/dev/shm", "tmpfs", "shm",
		OPTS("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
	    MNT("/dev/mqueue", "mqueue", "mqueue", OPTS("nosuid", "noexec", "nodev")),
	    MNT("/sys", "sysfs", "sysfs", OPTS("nosuid", "noexec", "nodev", "ro")),
	    MNT("/tmp/t1/deep", "tmpfs", "tmpfs",
		OPTS("size=4m", "mode=0700", "noexec", "nosuid", "nodev")),
	    MNT("data", "bind", hostdir, OPTS("bind", "ro", "nosuid")),
	    MNT("/rro", "none", rsrc, OPTS("rbind", "rro")),
	    MNT("/etc", "tmpfs", "tmpfs", OPTS("tmpcopyup", "mode=755")),
	    MNT("/etc/hostfile", "bind", hostfile, OPTS("bind", "ro")),
	    MNT("/shared", "tmpfs", "tmpfs", OPTS("shared")),
	    MNT("/unbind", "tmpfs", "tmpfs", OPTS("unbindable")),
	    MNT("/evil", "tmpfs", "tmpfs", OPTS("size=1m")),
	    MNT("/evil2/sub", "tmpfs", "tmpfs", OPTS("size=2m")),
	    MNT("/a/../../../dots", "tmpfs", "tmpfs", NULL),
	    MNT("/atime", "tmpfs", "tmpfs",
		OPTS("noatime", "nodiratime", "nosymfollow", "sync", "dirsync")),
	    MNT("/shared", "tmpfs", "tmpfs", OPTS("remount", "ro")),
	    MNT("/rw-bind", "bind", hostdir, OPTS("rbind", "rw", "suid", "dev", "exec")),
	    {.destination = (char *)"/idmapped",
	     .type = (char *)"bind",
	     .source = (char *)hostdir,
	     .options = OPTS("rbind", "idmap", "ro"),
	     .uid_mappings = &idm,
	     .n_uid_mappings = 1,
	     .gid_mappings = &idm,
	     .n_gid_mappings = 1},
	};
	struct husk_device devices[] = {
	    {.type = "c",
	     .path = "/dev/mydev",
	     .major = 1,
	     .minor = 3,
	     .has_file_mode = true,
	     .file_mode = 0600,
	     .has_uid = true,
	     .uid = 1000,
	     .has_gid = true,
	     .gid = 1001},
	    {.type = "b",
	     .path = "/dev/sub/dir/blk",
	     .major = 7,
	     .minor = 0,
	     .has_file_mode = true,
	     .file_mode = 0640},
	    {.type = "p", .path = "/dev/fifo", .has_file_mode = true, .file_mode = 0644},
	    {.type = "u",
	     .path = "/dev/full",
	     .major = 1,
	     .minor = 7,
	     .has_file_mode = true,
	     .file_mode = 0600},
	};
	struct husk_spec spec = {
	    .root_readonly = true,
	    .mounts = mounts,
	    /* the idmapped mount is the last one: left out where the scratch cannot have it */
	    .n_mounts = ARRAY_SIZE(mounts) - (idmap_ok ? 0 : 1),
	    .has_linux = true,
	    .linux_ =
		{
		    .devices = devices,
		    .n_devices = ARRAY_SIZE(devices),
		    .masked_paths =
			OPTS("/proc/kcore", "/masked-dir", "/does/not/exist", "/etc/masked-file"),
		    .readonly_paths = OPTS("/proc/sys", "/ro-dir", "/nope"),
		    /* no SELinux here: ignored for mounts, dropped on EINVAL for masks */
		    .mount_label = (char *)"system_u:object_r:container_file_t:s0:c1,c2",
		},
	};
	struct husk_rootfs_opts o = {.rootfs = root};

	if (!setup(&spec, &o))
		return;

	/* pivot and root */
	report(getcwd(buf, sizeof(buf)) && strcmp(buf, "/") == 0, "cwd is /");
	report(stat("/bin/busybox", &st) == 0, "/bin/busybox inside");
	report(try_exec("/bin/busybox") == 0, "exec /bin/busybox true");
	report(is_ro("/") && mount_has_opt("/", "nosuid"),
	       "root.readonly: / read-only, nosuid of the rootfs mount kept");
	e = find_mount(&mi, "/");
	report(e && strcmp(e->fstype, "tmpfs") == 0, "/ is the rootfs (tmpfs)");
	husk_mountinfo_clear(&mi);

	/* filesystem types and flags */
	report(fs_is("/proc", PROC_SUPER_MAGIC) && mount_has_opt("/proc", "nosuid") &&
		   mount_has_opt("/proc", "noexec") && mount_has_opt("/proc", "nodev"),
	       "proc nosuid,noexec,nodev");
	report(fs_is("/dev", TMPFS_MAGIC) && mount_has_opt("/dev", "nosuid") &&
		   !mount_has_opt("/dev", "nodev") && !mount_has_opt("/dev", "relatime"),
	       "/dev tmpfs nosuid strictatime");
	report(fs_is("/dev/pts", DEVPTS_SUPER_MAGIC) && mount_has_opt("/dev/pts", "noexec"),
	       "devpts");
	report(fs_is("/dev/shm", TMPFS_MAGIC) && mount_has_opt("/dev/shm", "nodev"), "/dev/shm");
	report(stat("/dev/shm", &st) == 0 && (st.st_mode & 07777) == 01777, "/dev/shm mode=1777");
	report(fs_is("/dev/mqueue", MQUEUE_MAGIC), "mqueue");
	report(fs_is("/sys", SYSFS_MAGIC) && is_ro("/sys"), "sysfs ro");
	report(statfs("/tmp/t1/deep", &sf) == 0 && sf.f_type == TMPFS_MAGIC &&
		   (uint64_t)sf.f_blocks * (uint64_t)sf.f_bsize == 4u << 20,
	       "tmpfs size=4m on a missing nested destination");
	report(stat("/tmp/t1/deep", &st) == 0 && (st.st_mode & 07777) == 0700, "tmpfs mode=0700");
	report(mount_has_opt("/tmp/t1/deep", "noexec") && mount_has_opt("/tmp/t1/deep", "nodev") &&
		   mount_has_opt("/tmp/t1/deep", "nosuid"),
	       "tmpfs noexec,nosuid,nodev in mountinfo");
	{
		struct husk_error err = {0};
		char *bb = NULL;
		size_t n;
		cleanup_close int fd = -1;

		if (read_file_at(AT_FDCWD, "/bin/busybox", &bb, &n, &err) == 0) {
			fd = open("/tmp/t1/deep/bb", O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
			if (fd >= 0)
				write_all(fd, bb, n);
		}
		free(bb);
		free(err.msg);
		close(steal_fd(&fd));
		report(try_exec("/tmp/t1/deep/bb") == -EACCES, "noexec: exec fails with EACCES");
	}

	/* binds */
	report(read_is("/data/hello", "hi"), "relative destination `data`: bind of a host dir");
	report(is_ro("/data") && mount_has_opt("/data", "nosuid") &&
		   open("/data/new", O_CREAT | O_WRONLY | O_CLOEXEC, 0644) < 0 && errno == EROFS,
	       "bind ro,nosuid (remounted)");
	report(is_ro("/rro") && is_ro("/rro/sub") && fs_is("/rro/sub", TMPFS_MAGIC),
	       "rbind + rro: the submount is read-only too");
	report(stat("/etc/hostfile", &st) == 0 && S_ISREG(st.st_mode) &&
		   read_is("/etc/hostfile", "file") && is_ro("/etc/hostfile"),
	       "bind of a file onto a created file, ro");
	report(!is_ro("/rw-bind") && !mount_has_opt("/rw-bind", "nosuid") &&
		   read_is("/rw-bind/hello", "hi"),
	       "rbind rw,suid,dev,exec");

	/* a mapping container 0 -> host 1000: the host's 0 shows as 1000 (runc's semantics) */
	r = stat("/idmapped/hello", &st);
	if (idmap_ok)
		report(r == 0 && st.st_uid == 1000 && st.st_gid == 1000 &&
			   mount_has_opt("/idmapped", "idmapped") && is_ro("/idmapped"),
		       "idmap: the file shows as 1000:1000, ro (%u:%u)", r ? 0 : st.st_uid,
		       r ? 0 : st.st_gid);
	else
		report(true, "idmap: the file shows as 1000:1000, ro # SKIP " NO_IDMAP_WHY);

	/* propagation, remount, atime & co */
	report(strstr(mount_optional("/shared", buf, sizeof(buf)), "shared:") != NULL,
	       "shared propagation (%s)", buf);
	report(strstr(mount_optional("/unbind", buf, sizeof(buf)), "unbindable") != NULL,
	       "unbindable propagation (%s)", buf);
	report(is_ro("/shared"), "remount,ro of an earlier mount");
	e = find_mount(&mi, "/atime");
	report(e && husk_opt_has(e->options, "noatime") && husk_opt_has(e->options, "nodiratime") &&
		   husk_opt_has(e->options, "nosymfollow"),
	       "noatime,nodiratime,nosymfollow (%s)", e ? e->options : "");
	report(e && husk_opt_has(e->super_options, "sync") &&
		   husk_opt_has(e->super_options, "dirsync"),
	       "sync,dirsync (%s)", e ? e->super_options : "");
	husk_mountinfo_clear(&mi);

	/* destinations that try to leave the rootfs */
	report(fs_is("/evil", TMPFS_MAGIC) && find_mount(&mi, victim) != NULL,
	       "symlink to a host path: mounted at %s inside the rootfs", victim);
	husk_mountinfo_clear(&mi);
	snprintf(p, sizeof(p), "%s/sub", victim2);
	report(find_mount(&mi, p) != NULL, "relative ../.. symlink: mounted at %s inside", p);
	husk_mountinfo_clear(&mi);
	report(find_mount(&mi, "/dots") != NULL, "`/a/../../../dots` lands on /dots");
	husk_mountinfo_clear(&mi);

	/* devices */
	check_node("/dev/null", S_IFCHR, 1, 3, 0666, 0, 0);
	check_node("/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0);
	check_node("/dev/random", S_IFCHR, 1, 8, 0666, 0, 0);
	check_node("/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0);
	check_node("/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0);
	check_node("/dev/full", S_IFCHR, 1, 7, 0600, 0, 0); /* linux.devices wins */
	check_node("/dev/mydev", S_IFCHR, 1, 3, 0600, 1000, 1001);
	check_node("/dev/sub/dir/blk", S_IFBLK, 7, 0, 0640, 0, 0);
	check_node("/dev/fifo", S_IFIFO, 0, 0, 0644, 0, 0);
	{
		cleanup_close int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
		char z[4] = {1, 1, 1, 1};
		report(fd >= 0 && read(fd, z, sizeof(z)) == 4 && !z[0] && !z[3],
		       "/dev/zero reads zeros");
	}
	check_link("/dev/fd", "/proc/self/fd");
	check_link("/dev/stdin", "/proc/self/fd/0");
	check_link("/dev/stdout", "/proc/self/fd/1");
	check_link("/dev/stderr", "/proc/self/fd/2");
	check_link("/dev/ptmx", "pts/ptmx");
	if (kcore)
		check_link("/dev/core", "/proc/kcore");
	else
		report(lstat("/dev/core", &st) < 0, "no /dev/core without /proc/kcore");

	/* tmpcopyup */
	report(fs_is("/etc", TMPFS_MAGIC) && read_is("/etc/passwd", "root:x:0:0::/:/bin/sh\n"),
	       "tmpcopyup: /etc is a tmpfs with the old content");
	check_node("/etc/sub/deep", S_IFREG, 0, 0, 0600, 1000, 1002);
	check_link("/etc/link", "passwd");

	/* masked and read-only paths */
	check_node("/etc/masked-file", S_IFCHR, 1, 3, 0666, 0, 0);
	if (kcore)
		check_node("/proc/kcore", S_IFCHR, 1, 3, 0666, 0, 0);
	report(fs_is("/masked-dir", TMPFS_MAGIC) && is_ro("/masked-dir") &&
		   access("/masked-dir/secret", F_OK) < 0,
	       "masked directory: empty read-only tmpfs");
	report(is_ro("/proc/sys") && fs_is("/proc/sys", PROC_SUPER_MAGIC), "/proc/sys read-only");
	report(is_ro("/ro-dir") && read_is("/ro-dir/f", "f") &&
		   open("/ro-dir/g", O_CREAT | O_WRONLY | O_CLOEXEC, 0644) < 0 && errno == EROFS,
	       "readonly path");
	report(!is_ro("/tmp/t1/deep"), "mounts stay writable under a read-only root");
}

/* ---- --no-pivot, devices bound (userns), host side untouched ---- */

struct before_pivot_data {
	const char *root;
	bool called;
};

/* called before pivot: the mounts are there, the rootfs is not "/" yet */
static int before_pivot(void *data, struct husk_error *err)
{
	struct before_pivot_data *d = data;
	char p[512];
	struct stat a, b;

	snprintf(p, sizeof(p), "%s/proc", d->root);
	d->called = true;
	report(fs_is(p, PROC_SUPER_MAGIC) && stat("/", &a) == 0 && stat(d->root, &b) == 0 &&
		   (a.st_ino != b.st_ino || a.st_dev != b.st_dev),
	       "before_pivot runs after the mounts, before the pivot");
	return 0;
}

static void scenario_no_pivot(const char *base, void *arg)
{
	char root[256], victim[256], p[512];
	cleanup_close int hostfd = -1;
	struct husk_mountinfo mi;
	struct stat a, b;
	struct before_pivot_data bp = {.root = root};
	struct husk_mount mounts[] = {
	    MNT("/proc", "proc", "proc", NULL),
	    MNT("/dev", "tmpfs", "tmpfs", OPTS("mode=755", "ro")),
	    MNT("/evil", "tmpfs", "tmpfs", NULL),
	    MNT("/bundle-rel", "bind", "rel-src", OPTS("rbind")),
	};
	struct husk_spec spec = {.mounts = mounts, .n_mounts = ARRAY_SIZE(mounts)};
	struct husk_rootfs_opts o = {
	    .rootfs = root,
	    .no_pivot = true,
	    .userns = true,
	    .bundle = base,
	    .before_pivot = before_pivot,
	    .before_pivot_data = &bp,
	};

	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(victim, sizeof(victim), "%s/victim", base);
	if (make_rootfs(root) < 0) {
		report_errno(-1, "make rootfs");
		return;
	}
	snprintf(p, sizeof(p), "%s/marker", victim);
	put_file(p, "host");
	snprintf(p, sizeof(p), "%s/rel-src/file", base);
	put_file(p, "bundle");
	snprintf(p, sizeof(p), "%s/evil", root);
	symlink(victim, p);
	hostfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (!setup(&spec, &o))
		return;
	report(bp.called, "before_pivot was called");
	report(stat("/", &a) == 0 && stat("/..", &b) == 0 && a.st_ino == b.st_ino,
	       "chroot: /.. is /");
	report(stat("/bin/busybox", &a) == 0 && try_exec("/bin/busybox") == 0, "exec busybox");
	report(fstatat(hostfd, "victim/marker", &a, 0) == 0,
	       "the host path behind the symlink is not mounted over");
	report(fs_is("/evil", TMPFS_MAGIC), "the mount is inside the rootfs");
	check_node("/dev/null", S_IFCHR, 1, 3, 0666, 0, 0);
	report(find_mount(&mi, "/dev/null") != NULL, "userns: /dev/null is a bind mount");
	husk_mountinfo_clear(&mi);
	report(is_ro("/dev") && lstat("/dev/ptmx", &a) == 0,
	       "/dev with ro: filled first, read-only at the end");
	report(read_is("/bundle-rel/file", "bundle"), "relative bind source is under the bundle");
	report(find_mount(&mi, "/proc") && mi.n > 0, "proc mounted");
	for (size_t i = 0; i < mi.n; i++)
		if (strcmp(mi.v[i].fstype, "proc") == 0 && strcmp(mi.v[i].mount_point, "/proc"))
			report(false, "host proc still visible at %s", mi.v[i].mount_point);
	husk_mountinfo_clear(&mi);
}

/* ---- in a user namespace: rootless rules (locked flags, sysfs, devices) ---- */

static void userns_container(const char *root, const char *hostdir, bool no_pivot)
{
	struct husk_mount mounts[] = {
	    MNT("/proc", "proc", "proc", OPTS("nosuid", "noexec", "nodev")),
	    MNT("/dev", "tmpfs", "tmpfs", OPTS("nosuid", "mode=755")),
	    MNT("/sys", "sysfs", "sysfs", OPTS("nosuid", "noexec", "nodev", "ro")),
	    MNT("/data", "bind", hostdir, OPTS("rbind", "ro")),
	};
	struct husk_spec spec = {
	    .root_readonly = true,
	    .mounts = mounts,
	    .n_mounts = ARRAY_SIZE(mounts),
	    .has_linux = true,
	    .linux_ = {.masked_paths = OPTS("/proc/kcore"), .readonly_paths = OPTS("/proc/sys")},
	};
	struct husk_rootfs_opts o = {.rootfs = root, .userns = true, .no_pivot = no_pivot};
	struct husk_mountinfo mi;

	if (!setup(&spec, &o))
		return;
	report(is_ro("/") && mount_has_opt("/", "nosuid"),
	       "read-only root keeps the locked nosuid");
	report(fs_is("/proc", PROC_SUPER_MAGIC), "proc (own pid namespace)");
	report(fs_is("/sys", SYSFS_MAGIC) && is_ro("/sys"),
	       "sysfs without a network namespace: the host's /sys bound read-only");
	check_node("/dev/null", S_IFCHR, 1, 3, 0666, 0, 0);
	report(find_mount(&mi, "/dev/null") != NULL, "devices are bind mounts");
	husk_mountinfo_clear(&mi);
	report(is_ro("/data") && read_is("/data/hello", "hi"), "rbind ro");
	report(is_ro("/proc/sys"), "readonly path");
}

static void scenario_userns(const char *base, void *arg)
{
	char root[256], hostdir[256], p[512];
	pid_t pid;
	int status;

	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(hostdir, sizeof(hostdir), "%s/hostdir", base);
	snprintf(p, sizeof(p), "%s/hello", hostdir);
	if (make_rootfs(root) < 0 || put_file(p, "hi") < 0) {
		report_errno(-1, "make rootfs");
		return;
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) < 0 ||
	    write_str("/proc/self/setgroups", "deny") < 0 ||
	    write_str("/proc/self/uid_map", "0 0 1") < 0 ||
	    write_str("/proc/self/gid_map", "0 0 1") < 0) {
		report_errno(-1, "enter a user namespace");
		return;
	}
	pid = fork();
	if (pid == 0) {
		userns_container(root, hostdir, arg != NULL);
		_exit(0);
	}
	report(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		   WEXITSTATUS(status) == 0,
	       "container child");
}

/* ---- idmapped mounts for a container in a user namespace, prepared by the runtime ---- */

/* The init's side: its namespaces, the trees the runtime sends, then the rootfs. */
static void userns_idmap_init(struct husk_spec *spec, struct husk_rootfs_opts *o, int ready, int go,
			      int sync_fd)
{
	struct husk_error err = {0};
	struct stat st;
	char c = 0;
	int r;

	c = unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0;
	if (write(ready, &c, 1) != 1 || !c || read(go, &c, 1) != 1)
		_exit(1);
	/* nothing comes when the runtime failed (reported there) */
	if (husk_spawn_recv_mount_sources(sync_fd, (struct husk_rootfs_prep *)o->prep, &err) < 0)
		_exit(0);
	if (!setup(spec, o))
		_exit(0);
	r = stat("/idm/hello", &st);
	/* without the idmapping the host's root would show as 0:0 */
	report(r == 0 && st.st_uid == 1000 && st.st_gid == 1000,
	       "idmapped mount inside the user namespace (%u:%u)", r ? 0 : st.st_uid,
	       r ? 0 : st.st_gid);
	_exit(0);
}

/* The runtime's side, once the init has its namespaces: maps, then the trees. */
static void userns_idmap_runtime(const struct husk_spec *spec, struct husk_rootfs_opts *o,
				 pid_t pid, int sync_fd, const char *hostdir)
{
	struct husk_spawn sp = {.pid = pid, .sync_fd = sync_fd};
	struct husk_plan *own = NULL;
	const struct husk_plan *plan;
	struct husk_error err = {0};
	char p[512];
	int status;

	snprintf(p, sizeof(p), "/proc/%d/uid_map", (int)pid);
	report_errno(write_str(p, "0 0 2000"), "uid_map");
	snprintf(p, sizeof(p), "/proc/%d/gid_map", (int)pid);
	report_errno(write_str(p, "0 0 2000"), "gid_map");
	plan = husk_rootfs_plan(spec, o, &own, &err);
	status = plan ? husk_spawn_send_mount_sources(&sp, plan, &err) : -1;
	if (idmap_ok) {
		report(status == 0,
		       "the runtime makes the idmapped tree in the init's mount namespace%s%s",
		       err.msg ? " # " : "", err.msg ? err.msg : "");
	} else {
		/* the library says why instead of a bare EINVAL */
		snprintf(p, sizeof(p), "filesystem of `%s` does not support idmapped mounts",
			 hostdir);
		report(status < 0 && err.msg && strstr(err.msg, p) &&
			   strstr(err.msg, "(mounts[0])"),
		       "idmapped tree on a filesystem without idmapped mounts: a clear error (%s)",
		       err.msg ? err.msg : "succeeded");
		report(true, "idmapped mount inside the user namespace # SKIP " NO_IDMAP_WHY);
	}
	free(err.msg);
	husk_plan_free(own);
}

static void scenario_userns_idmap(const char *base, void *arg)
{
	char root[256], hostdir[256], p[512], c = 0;
	struct husk_id_mapping idm = {.container_id = 0, .host_id = 1000, .size = 1};
	struct husk_mount mounts[] = {
	    {.destination = (char *)"/idm",
	     .type = (char *)"bind",
	     .source = (char *)"hostdir",
	     .options = OPTS("rbind", "idmap"),
	     .uid_mappings = &idm,
	     .n_uid_mappings = 1,
	     .gid_mappings = &idm,
	     .n_gid_mappings = 1},
	};
	struct husk_spec spec = {.mounts = mounts, .n_mounts = ARRAY_SIZE(mounts)};
	struct husk_rootfs_opts o = {.rootfs = root, .userns = true, .bundle = base};
	struct husk_rootfs_prep prep = {0};
	struct husk_error err = {0};
	int ready[2], go[2], sv[2], status;
	pid_t pid;

	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(hostdir, sizeof(hostdir), "%s/hostdir", base);
	snprintf(p, sizeof(p), "%s/hello", hostdir);
	if (make_rootfs(root) < 0 || put_file(p, "hi") < 0 || pipe2(ready, O_CLOEXEC) < 0 ||
	    pipe2(go, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		report_errno(-1, "prepare");
		return;
	}
	status = husk_rootfs_prepare(&spec, &o, &prep, &err);
	report(status == 0, "husk_rootfs_prepare%s%s", err.msg ? " # " : "",
	       err.msg ? err.msg : "");
	free(err.msg);
	o.prep = &prep;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		userns_idmap_init(&spec, &o, ready[1], go[0], sv[1]);
	}
	close(sv[1]);
	if (pid > 0 && read(ready[0], &c, 1) == 1 && c)
		userns_idmap_runtime(&spec, &o, pid, sv[0], hostdir);
	close(sv[0]); /* an init still waiting for trees gets EOF */
	(void)!write(go[1], "x", 1);
	report(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		   WEXITSTATUS(status) == 0,
	       "container child");
	husk_rootfs_prep_clear(&prep);
}

/* ---- propagation: nothing leaks to the parent namespace ---- */

struct prop_arg {
	const char *rootfs_propagation;
	const char *want; /* in the optional fields of "/" inside */
	bool leak_check;
};

static void scenario_propagation(const char *base, void *arg)
{
	const struct prop_arg *pa = arg;
	char root[256], p[512], buf[128];
	struct husk_mountinfo mi;
	pid_t pid;
	int status;

	snprintf(root, sizeof(root), "%s/root", base);
	/* make our namespace's mounts shared: a child namespace gets peers of them */
	if (mount(NULL, base, NULL, MS_REC | MS_SHARED, NULL) < 0 || make_rootfs(root) < 0) {
		report_errno(-1, "shared scratch");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct husk_mount mounts[] = {
		    MNT("/proc", "proc", "proc", NULL),
		    MNT("/x", "tmpfs", "tmpfs", NULL),
		};
		struct husk_spec spec = {
		    .mounts = mounts,
		    .n_mounts = ARRAY_SIZE(mounts),
		    .has_linux = true,
		    .linux_ = {.rootfs_propagation = (char *)pa->rootfs_propagation},
		};
		struct husk_rootfs_opts o = {.rootfs = root};

		if (unshare(CLONE_NEWNS) < 0) {
			report_errno(-1, "unshare");
			_exit(1);
		}
		if (setup(&spec, &o)) {
			mount_optional("/", buf, sizeof(buf));
			report(*pa->want ? strstr(buf, pa->want) != NULL : *buf == '\0',
			       "propagation of / is `%s` (%s)", *pa->want ? pa->want : "private",
			       buf);
		}
		_exit(0);
	}
	waitpid(pid, &status, 0);
	report(WIFEXITED(status) && WEXITSTATUS(status) == 0, "container child");
	if (!pa->leak_check)
		return;
	snprintf(p, sizeof(p), "%s/proc", root);
	report(!fs_is(p, PROC_SUPER_MAGIC), "the container's proc did not propagate back");
	snprintf(p, sizeof(p), "%s/x", root);
	report(find_mount(&mi, p) == NULL, "the container's mounts are not in our namespace");
	husk_mountinfo_clear(&mi);
}

int main(void)
{
	char base[] = "/tmp/husk-rootfs-XXXXXX";
	static struct prop_arg slave = {NULL, "master:", true};
	static struct prop_arg shared = {"shared", "shared:", false};
	static struct prop_arg private = {"rprivate", "", true};
	static struct prop_arg unbindable = {"runbindable", "unbindable", true};
	/* non-recursive slave: the root keeps a master (its parent is made a slave) */
	static struct prop_arg slave1 = {"slave", "master:", true};
	static struct prop_arg rshared = {"rshared", "shared:", false};

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root (mount namespaces, mknod)\n");
		return 77;
	}
	if (access("/bin/busybox", X_OK) < 0) {
		printf("1..0 # SKIP needs /bin/busybox (busybox-static)\n");
		return 77;
	}
	if (mkdtemp(base) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	idmap_ok = scratch_idmap_support(base) != 0;
	run_scenario("pivot", base, 0, scenario_full, NULL);
	run_scenario("pivot, no openat2", base, 0, scenario_full, (void *)1);
	run_scenario("no-pivot", base, 0, scenario_no_pivot, NULL);
	run_scenario("userns", base, 0, scenario_userns, NULL);
	run_scenario("userns, no-pivot", base, 0, scenario_userns, (void *)1);
	run_scenario("userns, idmap", base, 0, scenario_userns_idmap, NULL);
	run_scenario("rslave", base, 0, scenario_propagation, &slave);
	run_scenario("rootfsPropagation shared", base, 0, scenario_propagation, &shared);
	run_scenario("rootfsPropagation rprivate", base, 0, scenario_propagation, &private);
	run_scenario("rootfsPropagation runbindable", base, 0, scenario_propagation, &unbindable);
	run_scenario("rootfsPropagation slave", base, 0, scenario_propagation, &slave1);
	run_scenario("rootfsPropagation rshared", base, 0, scenario_propagation, &rshared);
	run_resolve_tests(base);
	run_error_tests(base);
	run_cgroup_tests(base);
	run_default_tests(base);
	run_sec_path_tests(base);
	rmdir(base);
	return tap_done();
}
