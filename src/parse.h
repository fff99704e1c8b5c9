/*
 * parse.h - the front end: source text -> syntax tree (parse_, lex_).
 *
 * grammar/lexer.l (reentrant flex) and grammar/parser.y (pure bison with
 * locations, %expect 0) do the work; parse_file is the only entry point the
 * other stages use. Errors are counted, not fatal: the parser recovers at the
 * next declaration and every problem becomes a diagnostic.
 */
#ifndef SEGC_PARSE_H
#define SEGC_PARSE_H

#include <setjmp.h>

#include "ast.h"

/* Parses src into a tree allocated in a. Returns NULL only when memory ran
 * out; syntax errors are in diags and counted in the file's syntax_errors. */
ast_file *parse_file(mem *m, arena *a, const source *src, diag_list *diags);

/* ---- shared by the lexer and the parser (not for other stages) ------------ */

typedef struct parse_state {
    mem *m;
    arena *a;
    const source *src;
    diag_list *diags;
    ast_file *file;
    void *scanner;
    uint32_t offset;      /* byte offset of the next token */
    unsigned line;        /* current line, 1-based */
    bool line_has_token;  /* a token was seen on the current line */
    bool in_schema;       /* between 'schema' and its closing '}' */
    /* the block of own-line comments being collected for a description */
    uint32_t block_start, block_end;
    unsigned block_last_line;
    bool block_open;
    uint32_t last_end, prev_end; /* ends of the last two tokens returned */
    int last_tok, prev_tok;       /* and their kinds */
    unsigned annot_line;  /* the line of the last annotation's '@' */
    unsigned error_line;  /* the line of the last syntax error reported */
    uint32_t string_start; /* where the string being lexed began */
    uint32_t tok_start;   /* where the token being lexed began */
    /* descriptions: the comment block right above a line belongs to the
     * first token of that line; the grammar looks it up by offset */
    struct parse_desc *descs;
    buf strbuf;           /* the unescaped content of that string */
    jmp_buf *fatal;       /* where an out-of-memory in flex jumps to */
    const char *fatal_msg;
    struct flex_block *flex_blocks; /* flex's live allocations (lexer.l) */
} parse_state;

typedef struct parse_desc {
    uint32_t at;
    const char *text;
    struct parse_desc *next;
} parse_desc;

/* The description of the line whose first token starts at offset at. */
const char *parse_desc_at(const parse_state *ps, uint32_t at);

/* Frees whatever flex still holds after a failed set-up (lexer.l). */
void lex_free_leftovers(parse_state *ps);

/* Reports an error at a span of the source being parsed. */
void parse_error(parse_state *ps, loc at, const char *fmt, ...)
    SEGC_PRINTF(3, 4);

#endif
