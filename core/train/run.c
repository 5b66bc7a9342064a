/* run.c - `ganlab train`: a run from a validated config (new run directory) or from a run directory
 * (resume), through the step schedule of step.c, writing the logs, samples and checkpoints at the
 * cadences of the train section. Stops cleanly between steps on SIGINT/SIGTERM (checkpoint first).
 * In a data-parallel run (dist.h) rank 0 does all of that; the other ranks only step (follow()).
 * Not here: timing.csv and the progress line (progress.c), the CSV files themselves (csvlog.c). */
#include "train/run.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "eval/eval.h"
#include "train/dist.h"
#include "util/csvlog.h"
#include "train/progress.h"
#include "train/provenance.h"
#include "train/run_events.h"
#include "train/rundir.h"
#include "util/atomic.h"
#include "util/fs.h"
#include "util/log.h"

typedef struct run {
    gl_session *s;
    const gl_cfg *cfg;
    const char *dir;
    uint64_t total;
    int64_t log_every, sample_every, ckpt_every, keep;
    gl_csv metrics, timing;
    FILE *log;
    gl_progress progress;
    double elapsed0;         /* timing.csv's last elapsed value, for a resumed run */
    gl_eval_source eval_src; /* what the evaluators see of s */
    gl_eval_log *eval;       /* NULL when train.eval_every is 0 or no evaluators are configured */
    gl_events events;        /* closed when logging.tensorboard is false */
    int lock; /* the run directory's writer lock (gl_rundir_lock), -1 when not held */
} run;

static int due(uint64_t step, int64_t every, uint64_t total)
{
    return step == total || (every > 0 && step % (uint64_t)every == 0);
}

static int log_row(run *r, const gl_loss_result *d, const gl_loss_result *g, gl_error *err)
{
    const char *names[2 + 2 * GL_LOSS_MAX_TERMS];
    double values[2 + 2 * GL_LOSS_MAX_TERMS];
    int n = 0;
    names[n] = "d_loss";
    values[n++] = r->s->last_loss[1];
    names[n] = "g_loss";
    values[n++] = r->s->last_loss[0];
    /* The G update's terms are measured on another batch than the D update's: a G term named like a
     * D term (bce's d_g_z) gets a g_ prefix, so every column name is unique. */
    char g_names[GL_LOSS_MAX_TERMS][64];
    for (int k = 0; k < 2; k++) {
        const gl_loss_result *res = k ? g : d;
        for (int i = 0; i < res->n_terms; i++) {
            names[n] = res->term_names[i];
            for (int j = 0; k && j < d->n_terms; j++)
                if (strcmp(names[n], d->term_names[j]) == 0) {
                    snprintf(g_names[i], sizeof g_names[i], "g_%s", res->term_names[i]);
                    names[n] = g_names[i];
                }
            values[n++] = res->term_values[i];
        }
    }
    static const char *const ints[2] = {"step", "epoch"};
    long long iv[2] = {(long long)r->s->st.step, (long long)r->s->st.epoch + 1};
    gl_csv_row(&r->metrics, n, names, values, 2, ints, iv);
    double images_per_s = gl_progress_row(&r->progress, r->s, &r->timing, ints, iv);
    /* The same columns as metrics.csv (epoch as a scalar too) and timing.csv's throughput. */
    static const char *const ips[1] = {"images_per_s"};
    double epoch = (double)iv[1];
    gl_events_scalars(&r->events, r->s->st.step, "train", n, names, values);
    gl_events_scalars(&r->events, r->s->st.step, "train", 1, &ints[1], &epoch);
    gl_events_scalars(&r->events, r->s->st.step, "timing", 1, ips, &images_per_s);
    if (gl_csv_check(&r->metrics, err) != GL_OK || gl_csv_check(&r->timing, err) != GL_OK)
        return err->status;
    return gl_events_flush(&r->events, err);
}

/* A resume's config changes, one log.txt line each, with the step they take effect at. */
static void log_changes(run *r, const gl_train_opts *o)
{
    const char *p = o->resume_changes;
    while (p && *p) {
        size_t len = strcspn(p, "\n");
        gl_log_line("train", "resume at step %llu%s: %.*s", (unsigned long long)r->s->st.step,
                    o->forced ? " (--force)" : "", (int)len, p);
        p += len + (p[len] == '\n');
    }
}

static int samples(run *r, uint64_t step, gl_error *err)
{
    if (gl_train_write_samples(r->s, r->dir, step, err) != GL_OK)
        return err->status;
    char path[4096];
    gl_train_samples_path(r->dir, step, path, sizeof path);
    if (gl_events_image(&r->events, step, "samples", path, err) != GL_OK)
        return err->status;
    return gl_events_flush(&r->events, err);
}

static int checkpoint(run *r, gl_error *err)
{
    char path[4096];
    gl_rundir_checkpoint_path(r->dir, r->s->st.step, path, sizeof path);
    if (gl_checkpoint_save(r->s, path, err) != GL_OK)
        return GL_ERR_RUN;
    gl_rundir_prune(r->dir, (int)r->keep, r->s->st.step);
    return GL_OK;
}

static int open_logs(run *r, gl_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/metrics.csv", r->dir);
    if (gl_csv_truncate(path, r->s->st.step, err) != GL_OK || gl_csv_open(&r->metrics, path, err))
        return err->status;
    snprintf(path, sizeof path, "%s/timing.csv", r->dir);
    if (gl_csv_truncate(path, r->s->st.step, err) != GL_OK || gl_csv_open(&r->timing, path, err))
        return err->status;
    /* The elapsed column continues across resumes: start from its last value. */
    r->elapsed0 = gl_csv_last_second_column(path);
    snprintf(path, sizeof path, "%s/log.txt", r->dir);
    const char *why;
    r->log = gl_fopen_regular(path, "ab", &why);
    if (!r->log)
        return gl_error_add(err, errno == EINVAL ? GL_ERR_INPUT : GL_ERR_RUN,
                            "%s: cannot open for writing: %s", path, why);
    gl_log_set_file(r->log);
    return GL_OK;
}

static int write_config(const gl_cfg *cfg, const char *dir, gl_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/config.yaml", dir);
    gl_atomic_file af;
    if (gl_atomic_open(&af, path, err) != GL_OK)
        return GL_ERR_RUN;
    if (gl_cfg_emit(cfg, af.fp, err) != GL_OK) {
        gl_atomic_abort(&af);
        return err->status;
    }
    return gl_atomic_commit(&af, err) == GL_OK ? GL_OK : GL_ERR_RUN;
}

/* After a sample or evaluation failed at a step without its own checkpoint: one now, so that the
 * failure loses no step (its own failure is added to err). */
static void checkpoint_after_failure(run *r, gl_error *err)
{
    gl_error e;
    gl_error_init(&e);
    if (checkpoint(r, &e) != GL_OK)
        gl_error_add(err, err->status, "%s", e.text);
}

/* A resumed run starts from a checkpoint that loop() wrote before its step's samples and
 * evaluation: those that a signal, a kill or a failure kept from being written are written first,
 * so that the run ends with the files of one that was never stopped. */
static int catch_up(run *r, gl_error *err)
{
    uint64_t step = r->s->st.step;
    char path[4096];
    gl_train_samples_path(r->dir, step, path, sizeof path);
    int rc = GL_OK;
    if (step > 0 && r->sample_every > 0 && step % (uint64_t)r->sample_every == 0 &&
        access(path, F_OK) != 0)
        rc = samples(r, step, err);
    if (rc == GL_OK)
        rc = gl_eval_log_catch_up(r->eval, step, r->total, err);
    if (rc > GL_ERR_INPUT)
        gl_log_line("train",
                    "stopped by signal %d at step %llu; resume with: ganlab train --resume %s",
                    rc - 128, (unsigned long long)step, r->dir);
    else if (rc != GL_OK)
        gl_log_error_to_file(err->text);
    return rc;
}

/* Whether to stop after this step: the pending signal, or with several ranks the one they agreed
 * on in the step's last all-reduce (a signal that arrives later is seen after the next step). */
static int stop_now(const gl_session *s, const gl_train_opts *o)
{
    if (s->ranks > 1)
        return gl_dist_stop();
    return o->stop_signal ? o->stop_signal() : 0;
}

/* How much of the loop's time rank 0 spent in the all-reduces (waiting for the others included). */
static void log_reduce_time(double loop_s)
{
    uint64_t n;
    double s;
    gl_dist_reduce_time(&n, &s);
    gl_log_line("train",
                "all-reduce: %llu calls, %.3f s (%.2f ms each), %.1f%% of %.3f s of training",
                (unsigned long long)n, s, n ? s * 1e3 / (double)n : 0.0,
                loop_s > 0 ? 100 * s / loop_s : 0.0, loop_s);
}

/* A data-parallel rank other than 0: the same steps as rank 0, which writes everything. */
static int follow(const gl_cfg *cfg, const gl_registry *reg, const gl_train_opts *o, gl_error *err)
{
    gl_session *s = NULL;
    int rc = gl_session_create(cfg, reg, &s, err);
    rc = gl_dist_start(s, rc, o->stop_signal, err);
    uint64_t total = rc == GL_OK ? gl_session_total_steps(s, cfg) : 0;
    gl_loss_result d, g;
    while (rc == GL_OK && s->st.step < total) {
        rc = gl_session_step(s, &d, &g, err);
        if (rc == GL_OK && stop_now(s, o))
            rc = 128 + stop_now(s, o);
    }
    gl_session_destroy(s);
    return rc;
}

static int loop(run *r, const gl_train_opts *o, gl_error *err)
{
    gl_loss_result d, g;
    int stopped = 0;
    while (r->s->st.step < r->total) {
        if (gl_session_step(r->s, &d, &g, err) != GL_OK) {
            gl_log_error_to_file(err->text);
            return GL_ERR_RUN;
        }
        uint64_t step = r->s->st.step;
        if (due(step, r->log_every, r->total) && log_row(r, &d, &g, err) != GL_OK)
            return err->status;
        /* The checkpoint comes first at a step: a sample or evaluation that fails after it cannot
         * lose it. */
        stopped = stop_now(r->s, o);
        int ck = due(step, r->ckpt_every, r->total) || stopped;
        if (ck && checkpoint(r, err) != GL_OK)
            return err->status;
        int rc = GL_OK;
        if (due(step, r->sample_every, r->total))
            rc = samples(r, step, err);
        if (rc == GL_OK)
            rc = gl_eval_log_step(r->eval, step, r->total, err);
        if (rc > GL_ERR_INPUT) {
            /* An evaluator polled the stop signal (gl_eval_env.stop): stop as between steps. */
            stopped = stopped ? stopped : rc - 128;
            gl_error_init(err);
            rc = GL_OK;
            if (!ck && checkpoint(r, err) != GL_OK)
                return err->status;
        }
        if (rc != GL_OK) {
            if (!ck)
                checkpoint_after_failure(r, err);
            gl_log_error_to_file(err->text);
            return err->status;
        }
        if (stopped) {
            gl_log_line(
                "train",
                "stopped by signal %d after step %llu; resume with: ganlab train --resume %s",
                stopped, (unsigned long long)step, r->dir);
            return 128 + stopped;
        }
    }
    return GL_OK;
}

int gl_train_run(const gl_cfg *cfg, const gl_registry *reg, const gl_train_opts *o, char *dir,
                 size_t cap, gl_error *err)
{
    run r;
    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.dir = dir;
    r.lock = -1;
    const gl_params *train = gl_cfg_params(cfg, "train");
    const gl_params *exp = gl_cfg_params(cfg, "experiment");
    r.log_every = gl_params_int(train, "log_every");
    r.sample_every = gl_params_int(train, "sample_every");
    r.ckpt_every = gl_params_int(train, "checkpoint_every");
    r.keep = gl_params_int(train, "keep_checkpoints");
    const char *precision = gl_params_string(gl_cfg_params(cfg, "engine"), "precision");
    int rc = gl_engine_set_precision(
        strcmp(precision, "bf16") == 0 ? GL_PRECISION_BF16 : GL_PRECISION_FP32, err);
    /* Before gl_engine_set_threads: OpenMP's and OpenBLAS's threads must not exist at the fork. */
    if (rc == GL_OK)
        rc = gl_dist_spawn((int)gl_params_int(exp, "workers"), err);
    if (rc != GL_OK)
        return rc;
    gl_engine_set_threads((int)gl_params_int(exp, "threads"));

    if (gl_dist_rank() > 0)
        return follow(cfg, reg, o, err);
    rc = gl_run_events_check(cfg, err);
    if (rc == GL_OK)
        rc = gl_session_create(cfg, reg, &r.s, err);
    if (rc != GL_OK)
        return gl_dist_start(NULL, rc, NULL, err);
    r.total = gl_session_total_steps(r.s, cfg);
    if (o->resume_dir) {
        snprintf(dir, cap, "%s", o->resume_dir);
        rc = gl_rundir_lock(dir, GL_RUNDIR_LOCK, &r.lock, err);
        if (rc == GL_OK) {
            gl_rundir_clean_stale(dir);
            rc = gl_train_resume_checkpoint(r.s, dir, o->checkpoint, err);
        }
        if (rc == GL_OK && r.total <= r.s->st.step)
            rc = gl_error_add(err, GL_ERR_INPUT,
                              "%s: nothing to resume: the budget (%llu steps) is at or below the "
                              "checkpoint's step %llu; raise train.steps or train.epochs",
                              dir, (unsigned long long)r.total, (unsigned long long)r.s->st.step);
    } else {
        rc = gl_rundir_create(gl_params_string(exp, "out_dir"), gl_params_string(exp, "name"), dir,
                              cap, err);
        if (rc == GL_OK)
            rc = gl_rundir_lock(dir, GL_RUNDIR_LOCK, &r.lock, err);
    }
    if (rc == GL_OK)
        rc = open_logs(&r, err);
    if (rc == GL_OK)
        rc = gl_run_events_open(&r.events, cfg, dir, r.s->st.step, o->resume_dir != NULL, err);
    if (rc == GL_OK) {
        /* With several ranks a signal stops the run only at a step's all-reduce, never inside an
         * evaluation that rank 0 alone runs. */
        gl_session_eval_source(r.s, r.s->ranks > 1 ? NULL : o->stop_signal, &r.eval_src);
        rc = gl_eval_log_open(cfg, reg, &r.eval_src, dir, &r.eval, err);
    }
    /* Last: a resume refused for a damaged log must leave config.yaml's budget and run.json's
     * record of the finished run as they were. */
    if (rc == GL_OK)
        rc = write_config(cfg, dir, err);
    gl_provenance prov = {o->argc,           o->argv,   o->overrides, o->n_overrides,
                          o->resume_changes, o->forced, r.total};
    if (rc == GL_OK)
        rc = gl_provenance_start(dir, cfg, reg, &prov, o->resume_dir != NULL, r.s->st.step, err);
    if (rc == GL_OK)
        gl_eval_log_set_events(r.eval, &r.events);
    rc = gl_dist_start(r.s, rc, o->stop_signal, err);
    if (rc == GL_OK && r.s->ranks > 1)
        gl_log_line("train", "data-parallel over %d ranks: global batch %d, %d per rank",
                    r.s->ranks, r.s->batch, r.s->batch / r.s->ranks);
    if (rc == GL_OK) {
        /* The precision is said on every start: a resume may change it (checkpoints are fp32). */
        gl_log_line("train", "%s %s: %s, %s, %s; %llu steps from step %llu; engine.precision %s",
                    o->resume_dir ? "resuming" : "run", dir, r.s->names[0], r.s->names[1],
                    r.s->names[2], (unsigned long long)r.total, (unsigned long long)r.s->st.step,
                    precision);
        log_changes(&r, o);
        gl_progress_start(&r.progress, r.s, r.total, r.elapsed0);
        double t0 = gl_clock_seconds();
        rc = o->resume_dir ? catch_up(&r, err) : GL_OK;
        if (rc == GL_OK)
            rc = loop(&r, o, err);
        if (r.s->ranks > 1)
            log_reduce_time(gl_clock_seconds() - t0);
        if (rc == GL_OK)
            rc = gl_provenance_finish(dir, err);
    }
    gl_eval_log_close(r.eval);
    if (gl_events_close(&r.events, err) != GL_OK && rc == GL_OK)
        rc = err->status;
    gl_csv_close(&r.metrics);
    gl_csv_close(&r.timing);
    if (r.log) {
        gl_log_set_file(NULL);
        fclose(r.log);
    }
    gl_session_destroy(r.s);
    gl_rundir_unlock(r.lock);
    return rc;
}
