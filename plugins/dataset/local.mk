# plugins/dataset: one stanza per plugin (see plugins/local.mk)
