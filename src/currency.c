/* currency.c - ISO 4217 currency codes and their minor units (cur_).
 * The active codes of ISO 4217 list one (as amended through 2024), sorted,
 * without the funds, precious metals and testing codes that have no minor
 * unit (XAU, XXX, ...). */
#include "value.h"

static const currency table[] = {
    {"AED", 2},
    {"AFN", 2},
    {"ALL", 2},
    {"AMD", 2},
    {"ANG", 2},
    {"AOA", 2},
    {"ARS", 2},
    {"AUD", 2},
    {"AWG", 2},
    {"AZN", 2},
    {"BAM", 2},
    {"BBD", 2},
    {"BDT", 2},
    {"BGN", 2},
    {"BHD", 3},
    {"BIF", 0},
    {"BMD", 2},
    {"BND", 2},
    {"BOB", 2},
    {"BOV", 2},
    {"BRL", 2},
    {"BSD", 2},
    {"BTN", 2},
    {"BWP", 2},
    {"BYN", 2},
    {"BZD", 2},
    {"CAD", 2},
    {"CDF", 2},
    {"CHE", 2},
    {"CHF", 2},
    {"CHW", 2},
    {"CLF", 4},
    {"CLP", 0},
    {"CNY", 2},
    {"COP", 2},
    {"COU", 2},
    {"CRC", 2},
    {"CUC", 2},
    {"CUP", 2},
    {"CVE", 2},
    {"CZK", 2},
    {"DJF", 0},
    {"DKK", 2},
    {"DOP", 2},
    {"DZD", 2},
    {"EGP", 2},
    {"ERN", 2},
    {"ETB", 2},
    {"EUR", 2},
    {"FJD", 2},
    {"FKP", 2},
    {"GBP", 2},
    {"GEL", 2},
    {"GHS", 2},
    {"GIP", 2},
    {"GMD", 2},
    {"GNF", 0},
    {"GTQ", 2},
    {"GYD", 2},
    {"HKD", 2},
    {"HNL", 2},
    {"HTG", 2},
    {"HUF", 2},
    {"IDR", 2},
    {"ILS", 2},
    {"INR", 2},
    {"IQD", 3},
    {"IRR", 2},
    {"ISK", 0},
    {"JMD", 2},
    {"JOD", 3},
    {"JPY", 0},
    {"KES", 2},
    {"KGS", 2},
    {"KHR", 2},
    {"KMF", 0},
    {"KPW", 2},
    {"KRW", 0},
    {"KWD", 3},
    {"KYD", 2},
    {"KZT", 2},
    {"LAK", 2},
    {"LBP", 2},
    {"LKR", 2},
    {"LRD", 2},
    {"LSL", 2},
    {"LYD", 3},
    {"MAD", 2},
    {"MDL", 2},
    {"MGA", 2},
    {"MKD", 2},
    {"MMK", 2},
    {"MNT", 2},
    {"MOP", 2},
    {"MRU", 2},
    {"MUR", 2},
    {"MVR", 2},
    {"MWK", 2},
    {"MXN", 2},
    {"MXV", 2},
    {"MYR", 2},
    {"MZN", 2},
    {"NAD", 2},
    {"NGN", 2},
    {"NIO", 2},
    {"NOK", 2},
    {"NPR", 2},
    {"NZD", 2},
    {"OMR", 3},
    {"PAB", 2},
    {"PEN", 2},
    {"PGK", 2},
    {"PHP", 2},
    {"PKR", 2},
    {"PLN", 2},
    {"PYG", 0},
    {"QAR", 2},
    {"RON", 2},
    {"RSD", 2},
    {"RUB", 2},
    {"RWF", 0},
    {"SAR", 2},
    {"SBD", 2},
    {"SCR", 2},
    {"SDG", 2},
    {"SEK", 2},
    {"SGD", 2},
    {"SHP", 2},
    {"SLE", 2},
    {"SLL", 2},
    {"SOS", 2},
    {"SRD", 2},
    {"SSP", 2},
    {"STN", 2},
    {"SVC", 2},
    {"SYP", 2},
    {"SZL", 2},
    {"THB", 2},
    {"TJS", 2},
    {"TMT", 2},
    {"TND", 3},
    {"TOP", 2},
    {"TRY", 2},
    {"TTD", 2},
    {"TWD", 2},
    {"TZS", 2},
    {"UAH", 2},
    {"UGX", 0},
    {"USD", 2},
    {"USN", 2},
    {"UYI", 0},
    {"UYU", 2},
    {"UYW", 4},
    {"UZS", 2},
    {"VED", 2},
    {"VES", 2},
    {"VND", 0},
    {"VUV", 0},
    {"WST", 2},
    {"XAF", 0},
    {"XCD", 2},
    {"XCG", 2},
    {"XOF", 0},
    {"XPF", 0},
    {"YER", 2},
    {"ZAR", 2},
    {"ZMW", 2},
    {"ZWG", 2},
    {"ZWL", 2},
};

int cur_find(const char *code, size_t len)
{
    if (len != 3)
        return -1;
    size_t lo = 0, hi = SEGC_ARRAY_LEN(table);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = memcmp(table[mid].code, code, 3);
        if (c == 0)
            return (int)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const currency *cur_get(int idx)
{
    return idx >= 0 && (size_t)idx < SEGC_ARRAY_LEN(table) ? &table[idx] : NULL;
}

size_t cur_count(void)
{
    return SEGC_ARRAY_LEN(table);
}

const char *cur_alias(const char *w, size_t len)
{
    /* names of currencies written out */
    static const struct {
        const char *word, *code;
    } words[] = {{"euro", "EUR"},    {"euros", "EUR"},   {"dollar", "USD"},
                 {"dollars", "USD"}, {"pound", "GBP"},   {"pounds", "GBP"},
                 {"franken", "CHF"}, {"francs", "CHF"},  {"yen", "JPY"},
                 {"zloty", "PLN"},   {"kronor", "SEK"},  {"kroner", "DKK"}};
    for (size_t i = 0; i < SEGC_ARRAY_LEN(words); i++) {
        size_t n = strlen(words[i].word);
        bool eq = n == len;
        for (size_t k = 0; eq && k < n; k++)
            eq = (w[k] | 0x20) == words[i].word[k];
        if (eq)
            return words[i].code;
    }
    return NULL;
}

const char *cur_suggest(const char *code, size_t len)
{
    /* an upper-cased exact match first ("eur" -> "EUR"), then the nearest */
    if (len == 3) {
        char up[3];
        for (int i = 0; i < 3; i++)
            up[i] = (char)(code[i] >= 'a' && code[i] <= 'z' ? code[i] - 32
                                                           : code[i]);
        int k = cur_find(up, 3);
        if (k >= 0)
            return table[k].code;
    }
    const char *alias = cur_alias(code, len);
    if (alias)
        return alias;
    const char *best = NULL;
    size_t bestd = 2;
    for (size_t i = 0; i < SEGC_ARRAY_LEN(table); i++) {
        size_t d = text_distance(code, len, table[i].code, 3, 1);
        if (d < bestd) {
            bestd = d;
            best = table[i].code;
        }
    }
    return best;
}

double cur_units_to_float(int64_t units, int scale)
{
    static const double p10[19] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,
                                   1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13,
                                   1e14, 1e15, 1e16, 1e17, 1e18};
    return (double)units / p10[scale];
}
