#include "profile_json.h"
#include "record_json.h"
#include "text_bytes.h"
#include "../analysis/strbuf.h"

#include <string.h>

void profile_write_json(FILE *out, const struct profile *p, const struct store_meta *m)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "{\"profile\": ");
	record_json_profile(&sb, m);
	strbuf_adds(&sb, ",\n \"functions\": [");
	for (size_t f = 0; f < p->nfuncs; f++) {
		const struct pv_func *fn = &p->funcs[f];
		const struct pv_str *file = profile_str(p, fn->file), *name = profile_str(p, fn->name);
		strbuf_addf(&sb, "%s{\"id\": %zu, \"file\": ", f ? ",\n  " : "\n  ", f);
		text_json_string(&sb, file->s, file->len);
		strbuf_addf(&sb, ", \"line\": %lld, \"name\": ", (long long)fn->line);
		text_json_string(&sb, name->s, name->len);
		strbuf_addf(&sb, ", \"in_stats\": %s, \"top_level\": %s, \"calls\": %lld, \"primitive_calls\": %lld, \"tottime\": ",
			    fn->flags & PV_FUNC_IN_STATS ? "true" : "false", fn->flags & PV_FUNC_TOP_LEVEL ? "true" : "false",
			    (long long)fn->calls, (long long)fn->pcalls);
		text_json_number(&sb, fn->tottime);
		strbuf_adds(&sb, ", \"cumtime\": ");
		text_json_number(&sb, fn->cumtime);
		if (fn->annotation)
			strbuf_addf(&sb, ", \"annotation\": \"%c\"", fn->annotation);
		strbuf_addc(&sb, '}');
		text_spill(out, &sb);
	}
	strbuf_adds(&sb, "],\n \"edges\": [");
	for (size_t i = 0; i < p->nedges; i++) {
		const struct pv_edge *e = &p->edges[i];
		strbuf_addf(&sb, "%s{\"caller\": %u, \"callee\": %u, \"calls\": %lld, \"primitive_calls\": %lld",
			    i ? ",\n  " : "\n  ", e->caller, e->callee, (long long)e->calls, (long long)e->pcalls);
		if (e->kind == PV_EDGE_TIMED) {
			strbuf_adds(&sb, ", \"tottime\": ");
			text_json_number(&sb, e->tottime);
			strbuf_adds(&sb, ", \"cumtime\": ");
			text_json_number(&sb, e->cumtime);
		}
		strbuf_addc(&sb, '}');
		text_spill(out, &sb);
	}
	strbuf_adds(&sb, "],\n \"nodes\": [");
	for (size_t i = 0; i < p->nnodes; i++) {
		const struct pv_node *n = &p->nodes[i];
		if (i)
			strbuf_addf(&sb, ",\n  {\"id\": %zu, \"parent\": %u, \"func\": %u, \"self\": ", i, n->parent, n->func);
		else
			strbuf_adds(&sb, "\n  {\"id\": 0, \"parent\": null, \"func\": null, \"self\": ");
		text_json_number(&sb, n->self);
		strbuf_adds(&sb, ", \"total\": ");
		text_json_number(&sb, n->total);
		strbuf_addf(&sb, ", \"count\": %lld}", (long long)n->count);
		text_spill(out, &sb);
	}
	strbuf_adds(&sb, "]}\n");
	fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
}
