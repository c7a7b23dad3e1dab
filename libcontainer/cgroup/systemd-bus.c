/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The systemd driver's D-Bus calls, through libsystemd's sd-bus.
 *
 * husk is linked statically and Debian ships no libsystemd.a, so the library
 * is dlopen'ed here, the first time a container of the systemd driver needs
 * the bus, and only the few sd_bus_* functions below are resolved: the
 * cgroupfs driver never loads it (README, "the systemd cgroup driver").
 * dlopen from a static glibc binary needs the same glibc at run time as at
 * build time (Debian's libc6 of the build machine).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cgroup-internal.h"
#include "systemd.h"

#if HAVE_SYSTEMD
#include <dlfcn.h>
#include <systemd/sd-bus.h>

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_IFACE "org.freedesktop.systemd1.Manager"
/* runc waits 30 s for a job */
#define JOB_TIMEOUT_USEC (30ULL * 1000000)

#define SD_FUNCS(X)                                                                                \
	X(sd_bus_open_system)                                                                      \
	X(sd_bus_message_new_method_call)                                                          \
	X(sd_bus_message_append)                                                                   \
	X(sd_bus_message_append_array)                                                             \
	X(sd_bus_message_open_container)                                                           \
	X(sd_bus_message_close_container)                                                          \
	X(sd_bus_call)                                                                             \
	X(sd_bus_message_read)                                                                     \
	X(sd_bus_match_signal)                                                                     \
	X(sd_bus_process)                                                                          \
	X(sd_bus_wait)                                                                             \
	X(sd_bus_message_unref)                                                                    \
	X(sd_bus_slot_unref)                                                                       \
	X(sd_bus_flush_close_unref)                                                                \
	X(sd_bus_error_free)                                                                       \
	X(sd_bus_error_has_name)

struct cg_sd_bus {
	void *dl;
	sd_bus *bus;
#define FIELD(f) __typeof__(f) *f;
	SD_FUNCS(FIELD)
#undef FIELD
};

/* what JobRemoved reported for the job we wait for */
struct job_wait {
	const struct cg_sd_bus *b;
	char *job;
	char *result;
};

void cg_sd_bus_close(struct cg_sd_bus *b)
{
	if (b == NULL)
		return;
	if (b->bus)
		b->sd_bus_flush_close_unref(b->bus);
	/* RTLD_NODELETE: the library stays, its handle goes */
	if (b->dl)
		dlclose(b->dl);
	free(b);
}

int cg_sd_bus_open(struct cg_sd_bus **out, struct husk_error *err)
{
	struct cg_sd_bus *b = xmalloc0(sizeof *b);
	int r;

	b->dl = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (b->dl == NULL) {
		const char *why = dlerror();
		free(b);
		return husk_error_set(err, ENOTSUP,
				      "systemd cgroup driver: cannot load libsystemd.so.0 (%s)",
				      why ? why : "unknown error");
	}
#define LOAD(f)                                                                                    \
	if ((b->f = (__typeof__(f) *)dlsym(b->dl, #f)) == NULL) {                                  \
		cg_sd_bus_close(b);                                                                \
		return husk_error_set(err, ENOTSUP,                                                \
				      "systemd cgroup driver: libsystemd.so.0 has no `" #f "`");   \
	}
	SD_FUNCS(LOAD)
#undef LOAD
	r = b->sd_bus_open_system(&b->bus);
	if (r < 0) {
		b->bus = NULL;
		cg_sd_bus_close(b);
		return husk_error_set(
		    err, -r, "systemd cgroup driver: connect to the system bus: %s", strerror(-r));
	}
	*out = b;
	return 0;
}

static int append_value(const struct cg_sd_bus *b, sd_bus_message *m, const struct cg_sd_prop *p)
{
	char sig[2] = {p->type, 0};
	int r;

	switch (p->type) {
	case CG_SD_BYTES:
		return b->sd_bus_message_append_array(m, 'y', p->bytes, p->n_bytes);
	case CG_SD_U32V:
		return b->sd_bus_message_append_array(m, 'u', p->bytes, p->n_bytes);
	case CG_SD_STRV:
		r = b->sd_bus_message_open_container(m, 'a', "s");
		for (size_t i = 0; r >= 0 && p->strv[i]; i++)
			r = b->sd_bus_message_append(m, "s", p->strv[i]);
		return r < 0 ? r : b->sd_bus_message_close_container(m);
	case CG_SD_STR:
		return b->sd_bus_message_append(m, "s", p->s);
	case CG_SD_DOUBLE:
		return b->sd_bus_message_append(m, "d", p->d);
	case CG_SD_BOOL:
		return b->sd_bus_message_append(m, "b", (int)p->u);
	case CG_SD_BYTE:
		return b->sd_bus_message_append(m, "y", (uint8_t)p->u);
	case CG_SD_I16:
	case CG_SD_U16:
		return b->sd_bus_message_append(m, sig, (uint16_t)p->u);
	case CG_SD_I32:
	case CG_SD_U32:
		return b->sd_bus_message_append(m, sig, (uint32_t)p->u);
	default:
		return b->sd_bus_message_append(m, sig, p->u);
	}
}

/* the variant's signature for a property of `type` */
static const char *variant_sig(char type)
{
	static const char *const sigs[] = {"b", "y", "n", "q", "i", "u", "x", "t", "d", "s"};
	const char *c = strchr("bynqiuxtds", type);

	switch (type) {
	case CG_SD_BYTES:
		return "ay";
	case CG_SD_STRV:
		return "as";
	case CG_SD_U32V:
		return "au";
	}
	return c && type ? sigs[c - "bynqiuxtds"] : "s";
}

/* a(sv) */
static int append_props(const struct cg_sd_bus *b, sd_bus_message *m, const struct cg_sd_props *p)
{
	int r = b->sd_bus_message_open_container(m, 'a', "(sv)");

	for (size_t i = 0; r >= 0 && i < p->n; i++) {
		r = b->sd_bus_message_open_container(m, 'r', "sv");
		if (r >= 0)
			r = b->sd_bus_message_append(m, "s", p->v[i].name);
		if (r >= 0)
			r = b->sd_bus_message_open_container(m, 'v', variant_sig(p->v[i].type));
		if (r >= 0)
			r = append_value(b, m, &p->v[i]);
		if (r >= 0)
			r = b->sd_bus_message_close_container(m);
		if (r >= 0)
			r = b->sd_bus_message_close_container(m);
	}
	return r < 0 ? r : b->sd_bus_message_close_container(m);
}

static int on_job_removed(sd_bus_message *m, void *data, sd_bus_error *ret)
{
	struct job_wait *w = data;
	const char *path = NULL, *unit = NULL, *result = NULL;
	uint32_t id;

	if (w->b->sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (w->job && path && strcmp(path, w->job) == 0 && w->result == NULL)
		w->result = xstrdup(result ? result : "");
	return 0;
}

/* Run the method call `m` that returns a job ("o") and wait for the job's JobRemoved. */
static int call_job(struct cg_sd_bus *b, sd_bus_message *m, const char *what, const char *unit,
		    struct husk_error *err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	sd_bus_slot *slot = NULL;
	struct job_wait w = {.b = b};
	const char *job = NULL;
	int r;

	/* the match first: the job may end before the call returns */
	r = b->sd_bus_match_signal(b->bus, &slot, SD_DEST, SD_PATH, SD_IFACE, "JobRemoved",
				   on_job_removed, &w);
	if (r < 0) {
		husk_error_set(err, -r, "systemd: %s `%s`: subscribe to JobRemoved: %s", what, unit,
			       strerror(-r));
		goto out;
	}
	r = b->sd_bus_call(b->bus, m, 0, &e, &reply);
	if (r < 0) {
		if (b->sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit") ||
		    b->sd_bus_error_has_name(&e, "org.freedesktop.DBus.Error.UnknownObject")) {
			r = 1; /* nothing to stop */
			goto out;
		}
		husk_error_set(err, -r, "systemd: %s `%s`: %s", what, unit,
			       e.message ? e.message : strerror(-r));
		goto out;
	}
	r = b->sd_bus_message_read(reply, "o", &job);
	if (r < 0) {
		husk_error_set(err, -r, "systemd: %s `%s`: bad reply", what, unit);
		goto out;
	}
	w.job = xstrdup(job);
	for (uint64_t waited = 0; w.result == NULL;) {
		r = b->sd_bus_process(b->bus, NULL);
		if (r > 0)
			continue;
		if (r == 0 && waited < JOB_TIMEOUT_USEC)
			r = b->sd_bus_wait(b->bus, 100000);
		if (r < 0 || waited >= JOB_TIMEOUT_USEC) {
			husk_error_set(err, r < 0 ? -r : ETIMEDOUT,
				       "systemd: %s `%s`: waiting for job `%s`: %s", what, unit,
				       job, r < 0 ? strerror(-r) : "timed out after 30 s");
			r = -1;
			goto out;
		}
		waited += 100000;
	}
	r = 0;
	if (strcmp(w.result, "done") != 0) {
		husk_error_set(err, EIO, "systemd: %s `%s`: job `%s` ended `%s`", what, unit, job,
			       w.result);
		r = -1;
	}
out:
	free(w.job);
	free(w.result);
	b->sd_bus_error_free(&e);
	if (reply)
		b->sd_bus_message_unref(reply);
	if (slot)
		b->sd_bus_slot_unref(slot);
	return r < 0 ? -1 : r;
}

static int new_call(struct cg_sd_bus *b, sd_bus_message **m, const char *method, const char *unit,
		    struct husk_error *err)
{
	int r = b->sd_bus_message_new_method_call(b->bus, m, SD_DEST, SD_PATH, SD_IFACE, method);

	if (r < 0)
		return husk_error_set(err, -r, "systemd: %s `%s`: %s", method, unit, strerror(-r));
	return 0;
}

int cg_sd_start_unit(struct cg_sd_bus *b, const char *unit, const struct cg_sd_props *p,
		     struct husk_error *err)
{
	sd_bus_message *m = NULL;
	int r;

	if (new_call(b, &m, "StartTransientUnit", unit, err) < 0)
		return -1;
	r = b->sd_bus_message_append(m, "ss", unit, "fail");
	if (r >= 0)
		r = append_props(b, m, p);
	/* no auxiliary units */
	if (r >= 0)
		r = b->sd_bus_message_append(m, "a(sa(sv))", 0);
	if (r < 0) {
		b->sd_bus_message_unref(m);
		return husk_error_set(err, -r, "systemd: StartTransientUnit `%s`: %s", unit,
				      strerror(-r));
	}
	r = call_job(b, m, "StartTransientUnit", unit, err);
	b->sd_bus_message_unref(m);
	if (r == 1)
		return husk_error_set(err, ENOENT, "systemd: StartTransientUnit `%s`: no such unit",
				      unit);
	return r;
}

int cg_sd_set_props(struct cg_sd_bus *b, const char *unit, const struct cg_sd_props *p,
		    struct husk_error *err)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	int r;

	if (p->n == 0)
		return 0;
	if (new_call(b, &m, "SetUnitProperties", unit, err) < 0)
		return -1;
	r = b->sd_bus_message_append(m, "sb", unit, 1);
	if (r >= 0)
		r = append_props(b, m, p);
	if (r >= 0)
		r = b->sd_bus_call(b->bus, m, 0, &e, NULL);
	if (r < 0)
		husk_error_set(err, -r, "systemd: SetUnitProperties `%s`: %s", unit,
			       e.message ? e.message : strerror(-r));
	b->sd_bus_error_free(&e);
	b->sd_bus_message_unref(m);
	return r < 0 ? -1 : 0;
}

int cg_sd_stop_unit(struct cg_sd_bus *b, const char *unit, struct husk_error *err)
{
	sd_bus_message *m = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	if (new_call(b, &m, "StopUnit", unit, err) < 0)
		return -1;
	r = b->sd_bus_message_append(m, "ss", unit, "replace");
	r = r < 0 ? husk_error_set(err, -r, "systemd: StopUnit `%s`: %s", unit, strerror(-r))
		  : call_job(b, m, "StopUnit", unit, err);
	b->sd_bus_message_unref(m);
	if (r < 0)
		return -1;
	/* runc resets a failed unit so that the name can be used again; not loaded is fine */
	if (new_call(b, &m, "ResetFailedUnit", unit, err) < 0)
		return -1;
	if (b->sd_bus_message_append(m, "s", unit) >= 0)
		b->sd_bus_call(b->bus, m, 0, &e, NULL);
	b->sd_bus_error_free(&e);
	b->sd_bus_message_unref(m);
	return 0;
}

#else /* !HAVE_SYSTEMD */

struct cg_sd_bus {
	int unused;
};

int cg_sd_bus_open(struct cg_sd_bus **out, struct husk_error *err)
{
	return husk_error_set(
	    err, ENOTSUP,
	    "systemd cgroup driver: husk was built without it (meson -Dsystemd=disabled)");
}

void cg_sd_bus_close(struct cg_sd_bus *b)
{
}

int cg_sd_start_unit(struct cg_sd_bus *b, const char *unit, const struct cg_sd_props *p,
		     struct husk_error *err)
{
	return husk_error_set(err, ENOTSUP, "systemd cgroup driver: not built");
}

int cg_sd_set_props(struct cg_sd_bus *b, const char *unit, const struct cg_sd_props *p,
		    struct husk_error *err)
{
	return husk_error_set(err, ENOTSUP, "systemd cgroup driver: not built");
}

int cg_sd_stop_unit(struct cg_sd_bus *b, const char *unit, struct husk_error *err)
{
	return husk_error_set(err, ENOTSUP, "systemd cgroup driver: not built");
}
#endif
