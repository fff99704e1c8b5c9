/* replay.c - runs a fuzz harness without libFuzzer.
 *
 *   replay_HARNESS FILE_OR_DIR...
 *
 * Feeds every file (a directory: every file in it, in name order, not
 * recursively; names starting with '.' are skipped) to the harness's
 * LLVMFuzzerTestOneInput, once, in this process. A harness that finds a bug
 * aborts, so the exit status tells: 0 when every input passed. Linked with
 * any compiler and any sanitizers (or none): make check replays
 * tests/fuzz/regress/HARNESS/ with it in every build folder. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int count;

static void replay_file(const char *path)
{
    size_t len;
    char *text = fuzz_read_file(path, &len);
    /* an exact-size copy, so that the sanitizers see a read past the end */
    uint8_t *data = malloc(len ? len : 1);
    if (!data) {
        fprintf(stderr, "replay: out of memory\n");
        exit(2);
    }
    memcpy(data, text, len);
    free(text);
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    count++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: cannot open %s\n", dir);
        exit(2);
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
            if (!names)
                exit(2);
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n])
            exit(2);
        snprintf(names[n], len, "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            replay_file(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: cannot find %s\n", argv[i]);
            return 2;
        }
        if (S_ISDIR(st.st_mode))
            replay_dir(argv[i]);
        else
            replay_file(argv[i]);
    }
    printf("%s: %d input%s replayed\n", fuzz_harness_name, count,
           count == 1 ? "" : "s");
    return 0;
}
