/*
 * html.h - the report as one self-contained HTML page: inline CSS and SVG
 * charts, no script, no network access, every string from the data
 * escaped.
 */
#ifndef STATS_AGG_HTML_H
#define STATS_AGG_HTML_H

#include <json-c/json.h>

#include "mem.h"

/* Append the page for report rep (report_build()) to out. */
void	html_render(json_object *rep, struct buf *out);

#endif
