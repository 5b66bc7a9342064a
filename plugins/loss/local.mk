# plugins/loss: one stanza per plugin (see plugins/local.mk)
plugin_LTLIBRARIES += plugins/loss/bce.la
plugins_loss_bce_la_SOURCES = plugins/loss/bce.c
plugins_loss_bce_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_loss_bce_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_loss_bce_la_LIBADD = $(GL_PLUGIN_LIBS) -lm

plugin_LTLIBRARIES += plugins/loss/wgan_gp.la
plugins_loss_wgan_gp_la_SOURCES = plugins/loss/wgan_gp.c
plugins_loss_wgan_gp_la_CFLAGS = $(GL_PLUGIN_CC_FLAGS)
plugins_loss_wgan_gp_la_LDFLAGS = $(GL_PLUGIN_LD_FLAGS)
plugins_loss_wgan_gp_la_LIBADD = $(GL_PLUGIN_LIBS)
