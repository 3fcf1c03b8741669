/*
 * tokenizer.h - a byte-level BPE tokenizer as the reference libraries
 * define it: Hugging Face tokenizers (tokenizer.json, or vocab.json +
 * merges.txt) and OpenAI tiktoken (.tiktoken rank files).
 *
 * A text is encoded as the references do: special or added tokens are
 * found first (when allowed), the text between them is pre-tokenized
 * (pretok.h), each piece is merged by BPE (bpe.h), and the post-processor's
 * tokens wrap the result (with add_special).
 *
 * Loading refuses what it cannot honour exactly -- another model type, a
 * normalizer, truncation or padding, a pre-tokenizer other than ByteLevel,
 * Split, Digits and their Sequence -- with a message naming it: a count is
 * never silently different from the reference's.
 *
 * A struct tok is read-only once configured and shared by the threads;
 * each thread encodes through its own struct tok_ctx.
 */
#ifndef CODESIFT_TOKENIZER_H
#define CODESIFT_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>

#include "bpe.h"
#include "mem.h"

enum tok_special {
	TOK_SPECIAL_AUTO,	/* allowed for Hugging Face, text for tiktoken */
	TOK_SPECIAL_TEXT,	/* special-token strings are plain text */
	TOK_SPECIAL_ALLOWED	/* they are their tokens */
};

struct tok;
struct tok_ctx;

/*
 * Load a Hugging Face tokenizer: path is a tokenizer.json, a vocab.json
 * (merges: the merges.txt, or NULL for the one beside it), or a directory
 * holding either.  Files may be gzip or zstd compressed.  NULL on failure
 * with a message in err.
 */
struct tok *tok_load_hf(const char *path, const char *merges,
	    struct buf *err);

/*
 * Load tiktoken encoding name (tok_encodings()) from its rank file in dir
 * (<ranks>.tiktoken, optionally .zst or .gz), checking the SHA-256 that
 * tiktoken pins for it.  NULL on failure with a message in err.
 */
struct tok *tok_load_tiktoken(const char *name, const char *dir,
	    struct buf *err);

/* The encodings tok_load_tiktoken() knows, NULL-terminated. */
const char *const *tok_encodings(void);
/* The rank file name of an encoding ("r50k_base.tiktoken"), or NULL. */
const char *tok_ranks_file(const char *name);

void	tok_free(struct tok *t);

/*
 * Choose the special-token mode and whether to add the post-processor's
 * tokens.  false with a message if add_special cannot be honoured.
 */
bool	tok_configure(struct tok *t, enum tok_special mode, bool add_special,
	    struct buf *err);

/* Encode without the ASCII fast scanners (PCRE2 only), for tests. */
void	tok_disable_fast(struct tok *t);

/* "huggingface" or "tiktoken" */
const char *tok_family(const struct tok *t);
/* What was loaded, for logs and the summary. */
const char *tok_describe(const struct tok *t);
/* The effective mode: "text" or "allowed". */
const char *tok_special_name(const struct tok *t);
size_t	tok_vocab_size(const struct tok *t);
/* Warnings from loading (one per line), or "". */
const char *tok_warnings(const struct tok *t);

struct tok_ctx *tok_ctx_new(const struct tok *t);
void	tok_ctx_free(struct tok_ctx *c);

/*
 * Append the ids of the text p[0..n) (valid UTF-8) to out.  false with a
 * message in err if a regex hit a resource limit.
 */
bool	tok_encode(struct tok_ctx *c, const char *p, size_t n,
	    struct idvec *out, struct buf *err);

/* Pieces and BPE cache hits so far, for the summary. */
void	tok_ctx_stats(const struct tok_ctx *c, uint64_t *pieces,
	    uint64_t *hits);

#endif
