/* The console and store rings of Xen guests.
 *
 * Each Xen guest gets two pages where Xen's toolstack puts an HVM or PVH
 * guest's "special pages", in the 8 frames below guest frame 0xff000 (just
 * under 4 GiB, marked reserved in the memory map), the store ring 4th and
 * the console ring 8th; a guest whose RAM reaches that far has the region
 * just above its RAM instead.  The console ring (struct xencons_interface)
 * and the xenstore ring each have an event channel, all four named by HVM
 * parameters.  mica itself is the console's
 * backend: a notification from the guest moves what it wrote into the
 * domain's console buffer (what `xm console` and mica's log show), and
 * input from the toolstack goes into the ring's `in` half.  The store ring
 * is there so that guests looking for it find it; no store daemon answers
 * it yet.
 *
 * The ring pages are mica's memory mapped into the guest: the guest can
 * write anything there at any time, so every index is read once and
 * checked before it is used. */
#include <mica/console.h>
#include <mica/domain.h>
#include <mica/errno.h>
#include <mica/event.h>
#include <mica/frame.h>
#include <mica/string.h>
#include <asm/p2m.h>
#include <xen/io/console.h>

#define OUT_SIZE sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE  sizeof(((struct xencons_interface *)0)->in)

static void *map_page(struct domain *d, gfn_t gfn)
{
    mfn_t m = frame_alloc();

    if (m == MFN_INVALID)
        return NULL;
    memset((void *)(uintptr_t)(m << PAGE_SHIFT), 0, PAGE_SIZE);
    /* Owned: freed with the domain's second-level tables. */
    if (p2m_map(d, gfn, m, true, true) < 0) {
        frame_free(m);
        return NULL;
    }
    return (void *)(uintptr_t)(m << PAGE_SHIFT);
}

int domain_rings_init(struct domain *d)
{
    gfn_t base = SPECIAL_BASE_GFN;
    int cp, sp;

    if (!d->xen_guest || d->ring_gfn != GFN_NONE)
        return 0;
    if (d->tot_pages > base)
        base = d->tot_pages;
    d->cons_ring = map_page(d, base + SPECIAL_CONSOLE);
    d->store_ring = d->cons_ring ? map_page(d, base + SPECIAL_STORE) : NULL;
    if (!d->store_ring)
        return -ENOMEM;
    d->ring_gfn = base;
    cp = evtchn_alloc_backend(d, EVTCHN_BACKEND_CONSOLE);
    sp = evtchn_alloc_backend(d, EVTCHN_BACKEND_STORE);
    if (cp < 0 || sp < 0)
        return cp < 0 ? cp : sp;
    d->cons_port = (uint16_t)cp;
    d->store_port = (uint16_t)sp;
    d->cons_ring->connection = XENCONSOLE_CONNECTED;
    return 0;
}

bool console_ring_service(struct domain *d)
{
    volatile struct xencons_interface *r = d->cons_ring;
    XENCONS_RING_IDX cons, prod;
    char buf[64];

    if (!r)
        return false;
    cons = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE);
    prod = __atomic_load_n(&r->out_prod, __ATOMIC_ACQUIRE);
    /* A producer index more than a ring ahead is the guest's mistake:
     * take the last ring's worth, as a reader that fell behind would. */
    if (prod - cons > OUT_SIZE)
        cons = prod - OUT_SIZE;
    if (cons == prod)
        return false;
    while (cons != prod) {
        size_t n = 0;

        while (cons != prod && n < sizeof(buf))
            buf[n++] = r->out[MASK_XENCONS_IDX(cons++, r->out)];
        domain_console_ring_write(d, buf, n);
    }
    __atomic_store_n(&r->out_cons, cons, __ATOMIC_RELEASE);
    return true;
}

long domain_console_input(struct domain *d, const char *s, size_t n)
{
    volatile struct xencons_interface *r = d->cons_ring;
    XENCONS_RING_IDX cons, prod;
    size_t done = 0;

    if (!r)
        return -ENODEV;
    cons = __atomic_load_n(&r->in_cons, __ATOMIC_ACQUIRE);
    prod = r->in_prod;
    /* The guest's consumer index can say anything: past the producer, or
     * more than a ring behind it, there is no room. */
    while (done < n && prod - cons < IN_SIZE)
        r->in[MASK_XENCONS_IDX(prod++, r->in)] = s[done++];
    __atomic_store_n(&r->in_prod, prod, __ATOMIC_RELEASE);
    if (done)
        evtchn_backend_notify(d, d->cons_port);
    return (long)done;
}
