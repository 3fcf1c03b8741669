/*
 * data.h - where the programs find their data files (configs/).
 *
 * Looked up in order: $CODESIFT_DATADIR; the configs/ directory beside
 * the executable's bin/ (a build tree: bin/prog -> configs/); the
 * installed CODESIFT_DATADIR (PREFIX/share/codesift).
 */
#ifndef CODESIFT_DATA_H
#define CODESIFT_DATA_H

/*
 * The path of data file rel (e.g. "pii-rules.json") as a new string the
 * caller frees, or NULL if it exists in none of the places.
 */
char	*data_path(const char *rel);

#endif
