/* timer: single-shot timers wake a blocked vCPU, written against Xen's
 * ABI only.  set_timer_op then SCHEDOP_block, VCPUOP_set_singleshot_timer
 * then HLT, a stopped timer that must not fire, and the refusals. */
#include "guest.h"
#include <xen/xen.h>
#include <xen/errno.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

#define MS 1000000ull

static struct shared_info shinfo __attribute__((aligned(4096)));

/* pvclock system time, ns. */
static uint64_t now(void)
{
    return pvclock_read(&shinfo.vcpu_info[0].time).ns;
}

static long set_timer(uint64_t deadline)
{
    return hypercall2(__HYPERVISOR_set_timer_op, (unsigned long)deadline,
                      (unsigned long)(deadline >> 32));
}

static long vcpu_op(unsigned int cmd, unsigned int id, void *arg)
{
    return hypercall3(__HYPERVISOR_vcpu_op, cmd, id, (unsigned long)arg);
}

static long block(void)
{
    return hypercall2(__HYPERVISOR_sched_op, SCHEDOP_block, 0);
}

/* Roughly milliseconds (2^20 ns), for messages only. */
static unsigned long ms(uint64_t ns) { return (unsigned long)(ns >> 20); }

enum verdict test_main(const char *cmdline)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 0,
        .gpfn = (xen_pfn_t)((uintptr_t)&shinfo >> 12),
    };
    struct vcpu_set_singleshot_timer st;
    uint64_t t0, t1;
    long rc;

    (void)cmdline;
    if (hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&xatp)) {
        printf("cannot map shared_info\n");
        return ERROR;
    }
    sched_yield();      /* have the time record written */

    /* set_timer_op 10 ms ahead, then block. */
    t0 = now();
    rc = set_timer(t0 + 10 * MS);
    CHECK(rc == 0, "set_timer_op: %ld", rc);
    rc = block();
    t1 = now();
    printf("timer: set_timer_op +10 ms and block: woke after ~%lu ms\n", ms(t1 - t0));
    CHECK(rc == 0 && t1 >= t0 + 10 * MS, "block returned %ld after %llu ns", rc,
          (unsigned long long)(t1 - t0));
    CHECK(t1 < t0 + 2000 * MS, "woke 2 s late");

    /* The single-shot timer, then HLT with interrupts off. */
    t0 = now();
    st.timeout_abs_ns = t0 + 5 * MS;
    st.flags = VCPU_SSHOTTMR_future;
    rc = vcpu_op(VCPUOP_set_singleshot_timer, 0, &st);
    CHECK(rc == 0, "set_singleshot_timer: %ld", rc);
    __asm__ volatile("cli; hlt");
    t1 = now();
    printf("timer: singleshot +5 ms and HLT: woke\n");
    CHECK(t1 >= t0 + 5 * MS, "HLT returned after %llu ns", (unsigned long long)(t1 - t0));

    /* A stopped timer does not fire: the 30 ms one is what wakes us. */
    t0 = now();
    st.timeout_abs_ns = t0 + 3 * MS;
    st.flags = 0;
    CHECK(vcpu_op(VCPUOP_set_singleshot_timer, 0, &st) == 0, "set 3 ms");
    CHECK(vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL) == 0, "stop");
    CHECK(set_timer(t0 + 30 * MS) == 0, "set 30 ms");
    block();
    t1 = now();
    printf("timer: stopped +3 ms, set +30 ms: woke after ~%lu ms\n", ms(t1 - t0));
    CHECK(t1 >= t0 + 30 * MS, "woke after %llu ns, before the 30 ms timer",
          (unsigned long long)(t1 - t0));

    /* A timer that fired while the vCPU ran makes the next block return. */
    CHECK(set_timer(now() + 1 * MS) == 0, "set 1 ms");
    t0 = now();
    while (now() < t0 + 3 * MS)
        sched_yield();
    t0 = now();
    block();
    CHECK(now() - t0 < 1000 * MS, "block after a fired timer waited");
    /* set_timer_op(0) disarms: nothing is pending now. */
    CHECK(set_timer(0) == 0, "set_timer_op(0)");

    st.timeout_abs_ns = now() - 1 * MS;
    st.flags = VCPU_SSHOTTMR_future;
    rc = vcpu_op(VCPUOP_set_singleshot_timer, 0, &st);
    CHECK(rc == -XEN_ETIME, "deadline in the past with _future: %ld", rc);
    rc = vcpu_op(VCPUOP_set_singleshot_timer, 0, (void *)0xfff00000);
    CHECK(rc == -XEN_EFAULT, "singleshot from 0xfff00000: %ld", rc);
    CHECK(vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL) == 0, "stop_periodic_timer");
    rc = vcpu_op(VCPUOP_is_up, 0, NULL);
    CHECK(rc == 1, "is_up(0): %ld", rc);
    rc = vcpu_op(VCPUOP_is_up, 1, NULL);
    CHECK(rc == -XEN_ENOENT, "is_up(1) of a 1-vCPU domain: %ld", rc);
    rc = vcpu_op(VCPUOP_is_up, 0xffffffffu, NULL);
    CHECK(rc == -XEN_ENOENT, "is_up(0xffffffff): %ld", rc);
    rc = vcpu_op(99, 0, NULL);
    CHECK(rc == -XEN_ENOSYS, "vcpu_op 99: %ld", rc);

    printf("timer: %d failures\n", check_failures);
    return check_failures ? FAILURE : SUCCESS;
}
