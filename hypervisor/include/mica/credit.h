/* The credit scheduler's arithmetic (sched.c): shares by weight, the
 * bounds on credit, and caps.  It is pure and lives here, where the host
 * unit tests reach it.  Times are nanoseconds of system time. */
#ifndef MICA_CREDIT_H
#define MICA_CREDIT_H

#include <mica/types.h>

/* The accounting period: a cap is a budget per period. */
#define CREDIT_PERIOD_NS   30000000ull
/* The most credit a vCPU may hold, and the most debt: a vCPU that waited
 * long comes back ahead by at most one period, and one that ran alone
 * for long is behind by at most one. */
#define CREDIT_LIMIT_NS    ((int64_t)CREDIT_PERIOD_NS)
/* Time shared out at once is cut to this, which keeps the products below
 * 2^63 (ns < 2^30 times a weight < 2^32). */
#define CREDIT_MAX_SHARE_NS 1000000000ull

/* A domain's weight is for the domain as a whole (as in Xen): each of its
 * vCPUs that wants a CPU carries an equal part of it.  Scaled by 2^16 so
 * that the division loses nothing that matters. */
static inline uint64_t credit_vcpu_weight(unsigned int dom_weight, unsigned int active)
{
    return ((uint64_t)dom_weight << 16) / (active ? active : 1);
}

/* The part of `ns` of CPU time that a vCPU of weight `w` earns when
 * vCPUs of total weight `sum` (its own included) shared it. */
static inline uint64_t credit_share(uint64_t ns, uint64_t w, uint64_t sum)
{
    if (!sum || w > sum)
        return 0;
    if (ns > CREDIT_MAX_SHARE_NS)
        ns = CREDIT_MAX_SHARE_NS;
    return ns * w / sum;
}

static inline int64_t credit_clamp(int64_t c)
{
    if (c > CREDIT_LIMIT_NS)
        return CREDIT_LIMIT_NS;
    if (c < -CREDIT_LIMIT_NS)
        return -CREDIT_LIMIT_NS;
    return c;
}

/* A cap: what the domain used in period `epoch` (period number since
 * system time 0).  Use beyond the budget is carried into the next
 * periods, so that overshooting a slice end is paid back; a period not
 * used up is not. */
struct credit_cap {
    uint64_t used, epoch;
};

/* The budget per period of a cap in percent of one CPU (0: none). */
static inline uint64_t credit_cap_budget(unsigned int cap)
{
    return CREDIT_PERIOD_NS * cap / 100;
}

/* Brings the cap to the period holding `now`. */
static inline void credit_cap_roll(struct credit_cap *c, uint64_t now, uint64_t budget)
{
    uint64_t e = now / CREDIT_PERIOD_NS, k;

    if (e <= c->epoch)
        return;
    k = e - c->epoch;
    /* k * budget > used, asked without overflowing. */
    if (!budget || k > c->used / budget)
        c->used = 0;
    else
        c->used -= k * budget;
    c->epoch = e;
}

/* What the domain may still use in the period holding `now`. */
static inline uint64_t credit_cap_left(struct credit_cap *c, uint64_t now, uint64_t budget)
{
    credit_cap_roll(c, now, budget);
    return c->used < budget ? budget - c->used : 0;
}

/* When the period after the cap's current one begins. */
static inline uint64_t credit_cap_next_period(const struct credit_cap *c)
{
    return (c->epoch + 1) * CREDIT_PERIOD_NS;
}

/* Charges `ns` that ran from `start`.  A run across the end of a period
 * is charged to both: were it all the first's, the part after the end
 * would run free whenever the first had budget to spare.  (A slice is far
 * shorter than a period; a run over several is charged only its first
 * and last parts.) */
static inline void credit_cap_charge(struct credit_cap *c, uint64_t start, uint64_t ns,
                                     uint64_t budget)
{
    uint64_t end = start + ns, boundary;

    credit_cap_roll(c, start, budget);
    boundary = credit_cap_next_period(c);
    if (end <= boundary) {
        c->used += ns;
        return;
    }
    c->used += boundary - start;
    credit_cap_roll(c, end, budget);
    c->used += end - c->epoch * CREDIT_PERIOD_NS;
}

#endif
