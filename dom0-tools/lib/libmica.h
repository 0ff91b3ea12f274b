/*
 * libmica: the toolstack calls of mica (guest-abi/include/mica/ctl.h), one
 * C function each, for root processes in domain 0.
 *
 * Call mica_open() once; it gets the doorbell port from dom0's kernel and
 * checks that mica speaks our major version of the ABI. Every call then
 * returns what mica answered (0, a count, a domid, a number of bytes) or
 * -1 with errno set from mica's negative errno, as system calls do. Calls
 * before a successful mica_open() fail with ENOTCONN.
 *
 * Buffers mica writes into are touched (written) by libmica first, and
 * buffers it reads are read first, so that their pages are present when
 * mica walks dom0's page tables; the caller needs no mlock(). libmica is
 * not thread-safe: a multithreaded caller serialises its calls.
 */
#ifndef MICA_LIBMICA_H
#define MICA_LIBMICA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <mica/ctl.h>
#include <xen/sched.h>   /* SHUTDOWN_* */
#include <xen/xen.h>     /* domid_t */

/*
 * Gets I/O port access for the doorbell (ioperm: root, CAP_SYS_RAWIO) and
 * does the version handshake. Returns 0, or -1 with errno: EPERM (not
 * root, or mica refused because we are not dom0), ENODEV (no mica
 * answers), EPROTO (mica speaks another major version), or what ioperm()
 * failed with. mica_open_error() then says why in words.
 */
int mica_open(void);
/* Why the last mica_open() failed, as a phrase for "prog: cannot reach
 * mica: %s". Valid until the next mica_open(). */
const char *mica_open_error(void);
/* The ABI version mica answered (MICA_CTL_VERSION form), 0 before open. */
uint32_t mica_abi_version(void);

/* Host and domain information. */
int mica_physinfo(struct mica_physinfo *info);
/* Returns how many domains exist and fills the first min(that, max)
 * entries, lowest domid first: a result above max means "ask again". */
int mica_domain_list(struct mica_domain_info *info, unsigned max);
int mica_domain_info(domid_t domid, struct mica_domain_info *info);

/* Domain life cycle. create returns the new domain's id. */
int mica_domain_create(const struct mica_domain_create *req);
int mica_domain_destroy(domid_t domid);
int mica_domain_pause(domid_t domid);
int mica_domain_unpause(domid_t domid);
int mica_domain_shutdown(domid_t domid, unsigned reason); /* SHUTDOWN_* */
/* The most memory the domain may hold (max_pages); EINVAL below what it
 * holds now. */
int mica_domain_set_memory(domid_t domid, uint64_t kib);
/* How many vCPUs the domain has (ABI 1.2; ENOSYS before): more adds them
 * down, for the guest to bring up; fewer only on a domain that has never
 * run, over vCPUs that are down (else EBUSY). EINVAL: 0, too many, or the
 * domain is shut down. */
int mica_domain_set_vcpus(domid_t domid, unsigned count);
/* name is MICA_NAME_MAX bytes, NUL-terminated within them (pad with
 * NULs); EINVAL for an empty name or one with blanks or control
 * characters, EEXIST when another domain has it. */
int mica_domain_rename(domid_t domid, const char name[MICA_NAME_MAX]);

/* vCPUs and scheduling. cap is in percent of one CPU, 0 = no cap. */
int mica_vcpu_pin(domid_t domid, unsigned vcpu, uint64_t cpu_mask);
/* Sets the credit scheduler's weight and cap; MICA_SCHED_KEEP leaves one
 * as it is. Returns what holds after the call as cap << 32 | weight (see
 * MICA_SCHED_WEIGHT/CAP), so (KEEP, KEEP) reads them; -1 with errno. */
long mica_sched_credit(domid_t domid, unsigned weight, unsigned cap);
#define MICA_SCHED_WEIGHT(r) ((unsigned)((uint64_t)(r) & 0xffffffffu))
#define MICA_SCHED_CAP(r) ((unsigned)((uint64_t)(r) >> 32))
/* Fills up to max entries, vCPU 0 first; returns how many vCPUs the
 * domain has (a result above max means "ask again"). */
int mica_vcpu_info(domid_t domid, struct mica_vcpu_info *info, unsigned max);
int mica_vcpu_set_state(domid_t domid, unsigned vcpu,
                        const struct mica_vcpu_state *state);

/* A domain's memory, by guest-physical address. */
int mica_copy_to_domain(domid_t domid, uint64_t gpa, const void *buf,
                        size_t len);
int mica_copy_from_domain(domid_t domid, uint64_t gpa, void *buf,
                          size_t len);

/*
 * Consoles. *pos is a cursor into everything the console ever held: start
 * at 0, and each read advances it past the bytes returned (and past any
 * that mica had already dropped). The reads return the bytes copied, 0
 * when there is nothing new; console_write returns the bytes accepted.
 */
ssize_t mica_console_read(domid_t domid, void *buf, size_t len,
                          uint64_t *pos);
ssize_t mica_console_write(domid_t domid, const void *buf, size_t len);
ssize_t mica_dmesg(void *buf, size_t len, uint64_t *pos);
/* What mica meant for its console after dom0 took the serial port (ABI
 * 1.3; EINVAL before). */
ssize_t mica_dmesg_unseen(void *buf, size_t len, uint64_t *pos);

/*
 * Tests replace the doorbell: fn receives the operation and the five
 * argument registers and returns what RAX would hold. NULL restores the
 * real OUT. With a replacement installed, mica_open() asks for no port.
 */
typedef long (*mica_doorbell_fn)(uint64_t op, const uint64_t args[5]);
void mica_set_doorbell(mica_doorbell_fn fn);

#endif
