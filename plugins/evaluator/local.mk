# plugins/evaluator: one stanza per plugin (see plugins/local.mk)
