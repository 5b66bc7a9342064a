# plugins/model: one stanza per plugin (see plugins/local.mk)
