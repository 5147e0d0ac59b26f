// SPDX-License-Identifier: GPL-2.0
/*
 * devmap-agent: JSON in (jansson, Debian's libjansson-dev, linked statically; keys as paths "a.b.0.c")
 * and out (one line per object, built in a buffer).
 */
#include "agent.h"

int json_parse(const char *line, struct jobj *o)
{
	json_error_t e;

	json_decref(o->root);
	o->root = json_loads(line, JSON_REJECT_DUPLICATES, &e);
	if (o->root && json_is_object(o->root))
		return 0;
	diag("JSON: %s", o->root ? "not an object" : e.text);
	json_decref(o->root);
	o->root = NULL;
	return -1;
}

/* the value at a path: objects by key, arrays by index ("config.importers.0.name") */
static json_t *jpath(const struct jobj *o, const char *key)
{
	char buf[MAX_STR], *save = NULL;
	json_t *v = o->root;

	snprintf(buf, sizeof(buf), "%s", key);
	for (char *t = strtok_r(buf, ".", &save); t && v; t = strtok_r(NULL, ".", &save)) {
		char *end;
		long i;

		if (json_is_object(v)) {
			v = json_object_get(v, t);
		} else if (json_is_array(v)) {
			i = strtol(t, &end, 10);
			v = *end || i < 0 ? NULL : json_array_get(v, (size_t)i);
		} else {
			v = NULL;
		}
	}
	return v;
}

const char *jstr(const struct jobj *o, const char *key)
{
	json_t *v = jpath(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int jint(const struct jobj *o, const char *key, long long *v)
{
	json_t *x = jpath(o, key);

	if (!json_is_integer(x))
		return -1;
	*v = json_integer_value(x);
	return 0;
}

int jbool(const struct jobj *o, const char *key, int *b)
{
	json_t *x = jpath(o, key);

	if (!json_is_boolean(x))
		return -1;
	*b = json_is_true(x);
	return 0;
}

/* the length of the array at key, or -1 */
int jlen(const struct jobj *o, const char *key)
{
	json_t *x = jpath(o, key);

	return json_is_array(x) ? (int)json_array_size(x) : -1;
}

int jhas_item(const struct jobj *o, const char *key, const char *item)
{
	json_t *x = jpath(o, key), *e;
	size_t i;

	if (!json_is_array(x))
		return 0;
	json_array_foreach(x, i, e)
		if (json_is_string(e) && !strcmp(json_string_value(e), item))
			return 1;
	return 0;
}

void oputs(struct out *o, const char *s)
{
	size_t l = strlen(s);

	if (o->n + l >= sizeof(o->buf))
		l = sizeof(o->buf) - o->n - 1;
	memcpy(o->buf + o->n, s, l);
	o->n += l;
	o->buf[o->n] = 0;
}

void oprintf(struct out *o, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	oputs(o, tmp);
}

void oquote(struct out *o, const char *s)
{
	oputs(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			oprintf(o, "\\%c", c);
		else if (c < 0x20)
			oprintf(o, "\\u%04x", c);
		else
			oprintf(o, "%c", c);
	}
	oputs(o, "\"");
}

void emit(struct out *o)
{
	if (fprintf(stdout, "%s\n", o->buf) < 0 || fflush(stdout))
		diag("write to stdout failed: %s", strerror(errno));
	o->n = 0;
	o->buf[0] = 0;
}
