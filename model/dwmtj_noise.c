/* Counter-based normal draws: the value for a slot depends only on
 * (seed, key, slot), so any step size, and any rejected and retried step,
 * sees the same noise (doc/design.md, section 2). */
#include "dwmtj.h"

#include <math.h>

/* SplitMix64 finaliser (Steele, Lea, Flood, "Fast splittable pseudorandom
 * number generators", OOPSLA 2014): a bijective 64-bit mixer. */
static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1) from the top 53 bits; never 0, so log() is finite. */
static double unit(uint64_t z)
{
    return ((double)(z >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

double dwmtj_noise_normal(uint64_t seed, uint64_t key, int64_t slot)
{
    uint64_t h = mix64(mix64(seed) ^ key);
    h = mix64(h ^ (uint64_t)slot);
    double u1 = unit(h), u2 = unit(mix64(h));
    /* Box-Muller (Box & Muller, Ann. Math. Stat. 29, 610, 1958) */
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double dwmtj_noise_uniform(uint64_t seed, uint64_t key, int64_t counter)
{
    /* a different mix than the normal's, so the two streams do not overlap */
    uint64_t h = mix64(mix64(seed ^ 0x756e69666f726dULL) ^ key);
    return unit(mix64(h ^ (uint64_t)counter));
}

uint64_t dwmtj_key_from_name(const char *name)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 offset basis */
    if (!name)
        return h;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        h ^= *c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t dwmtj_noise_key(const char *const node[DWMTJ_NTERM])
{
    uint64_t key = 0;
    for (int k = 0; k < DWMTJ_NTERM; k++)
        key = key * 0x100000001b3ULL ^ dwmtj_key_from_name(node && node[k] ? node[k] : "");
    return key;
}
