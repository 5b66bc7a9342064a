# plugins/loss: one stanza per plugin (see plugins/local.mk)
