/*
 * tiktok.h - what candor reads from TikTok's comment lists (SPEC section 7).
 *
 * The Business API's comment objects ({"comment_id","text","username",
 * "create_time","likes","parent_comment_id","video_id",...}) and the
 * Research API's ({"id","text","like_count","create_time",
 * "parent_comment_id","video_id"}) become candor's comment records, one
 * JSONL line each: {"id","text","author","created_at","video_id",
 * "parent_id","likes"} with created_at in RFC 3339 UTC.
 *
 * TikTok ids are 19-digit integers, which a double (cJSON's number) cannot
 * hold, so tiktok_quote_ids() first turns every integer literal of 16 or
 * more digits in a response into a string, exactly as written.
 *
 * Nothing here allocates beyond the caller's buffers.
 */
#ifndef CANDOR_TIKTOK_H
#define CANDOR_TIKTOK_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

struct cJSON;

#define TIKTOK_ID_MAX 64                /* bytes of an id */

/*
 * Copy the JSON text in[0..len) to out with every integer literal of 16
 * or more digits outside strings put in quotes.  0, or CD_ERR_LIMIT when
 * out's cap is reached.
 */
int tiktok_quote_ids(const char *in, size_t len, struct cd_buf *out);

/*
 * The comment object c as one candor JSONL line (with its newline)
 * appended to out; video_id is used when c names none.  The id goes to
 * id (TIKTOK_ID_MAX bytes).  CD_ERR_REMOTE when c is not a comment (no id
 * or no text), naming what is missing; CD_ERR_LIMIT past out's cap.
 */
int tiktok_comment_line(const struct cJSON *c, const char *video_id,
			struct cd_buf *out, char *id, struct cd_error *err);

/*
 * A page's "data": its "comments" array (NULL when absent or empty is an
 * empty page), "cursor" (a number or numeric string) and "has_more".
 * CD_ERR_REMOTE when they have the wrong type.
 */
int tiktok_page(const struct cJSON *data, const struct cJSON **comments,
		long long *cursor, int *has_more, struct cd_error *err);

/*
 * Append s to out percent-encoded for a URL query (RFC 3986 unreserved
 * bytes stay).  0 or CD_ERR_LIMIT.
 */
int tiktok_url_escape(struct cd_buf *out, const char *s);

#endif
