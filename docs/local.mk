# docs/local.mk: what `make install` puts besides the programs: the manual page, the bash completion,
# the documentation (README.md and docs/ with its example plugins, keeping their relative links) in
# $(docdir), and the example configs in $(pkgdatadir)/configs. tests/e2e/oot.sh checks that every
# shipped config and doc is listed.
dist_man_MANS = docs/ganlab.1
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = completions/ganlab
ganlabdocdir = $(docdir)
nobase_dist_ganlabdoc_DATA = README.md \
	docs/examples/dataset/stripes.c \
	docs/examples/evaluator/mean_gap.c \
	docs/examples/loss/lsgan.c \
	docs/examples/model/tiny_mlp.c \
	docs/examples/optimizer/sign_sgd.c \
	docs/architecture.md \
	docs/cli.md \
	docs/compare.md \
	docs/config.md \
	docs/datasets.md \
	docs/engine.md \
	docs/formats.md \
	docs/losses.md \
	docs/metrics.md \
	docs/models.md \
	docs/performance.md \
	docs/plugin-check.md \
	docs/testing.md \
	docs/plugins.md \
	docs/results.md \
	docs/scaling.md \
	docs/training.md \
	docs/results/fashion_mnist.csv \
	docs/results/fixes_toy.csv \
	docs/images/fixes_grid_best.png \
	docs/images/fixes_grid_gan.png \
	docs/images/fixes_grid_minibatch_std.png \
	docs/images/fixes_grid_pacgan2.png \
	docs/images/fixes_grid_pacgan_paper_m4.png \
	docs/images/fixes_grid_r3gan.png \
	docs/images/fixes_ring_gan.png \
	docs/images/fixes_ring_pacgan2.png \
	docs/images/fm5_cgan.png \
	docs/images/fm5_classes.png \
	docs/images/fm5_fd.png \
	docs/images/fm5_gan.png \
	docs/images/fm5_gan_cgan_settings.png \
	docs/images/fm5_label_acc.png \
	docs/images/fm5_wgan_gp.png \
	docs/images/fm_cgan.png \
	docs/images/fm_dcgan_cgan.png \
	docs/images/fm_dcgan_gan.png \
	docs/images/fm_dcgan_wgan_gp.png \
	docs/images/fm_suite_dcgan_cgan.png \
	docs/images/fm_suite_dcgan_gan.png \
	docs/images/fm_suite_dcgan_wgan_gp.png \
	docs/images/fm_gan.png \
	docs/images/fm_wgan_gp.png \
	docs/images/report_html.png \
	docs/images/toy_grid_cgan.png \
	docs/images/toy_grid_gan.png \
	docs/images/toy_grid_gan_tutorial.png \
	docs/images/toy_grid_wgan_gp.png \
	docs/images/toy_modes.png
nobase_dist_pkgdata_DATA = \
	configs/fashion_mnist/cgan.yaml \
	configs/fashion_mnist/dcgan_cgan.yaml \
	configs/fashion_mnist/dcgan_gan.yaml \
	configs/fashion_mnist/dcgan_wgan_gp.yaml \
	configs/fashion_mnist/gan.yaml \
	configs/fashion_mnist/wgan_gp.yaml \
	configs/stacked/dcgan.yaml \
	configs/stacked/dcgan_small_d.yaml \
	configs/stacked/hinge.yaml \
	configs/stacked/pacgan2.yaml \
	configs/stacked/r3gan.yaml \
	configs/stacked/spectral_norm.yaml \
	configs/stacked/wgan_gp.yaml \
	configs/suites/fashion_mnist.yaml \
	configs/suites/fashion_mnist_mlp.yaml \
	configs/suites/fixes_toy.yaml \
	configs/suites/grid_best_budget.yaml \
	configs/suites/stacked_wgan_gp_budget.yaml \
	configs/suites/grid_best_selection.yaml \
	configs/suites/pacgan_budget.yaml \
	configs/suites/pacgan_init.yaml \
	configs/suites/quick.yaml \
	configs/suites/stacked.yaml \
	configs/suites/toy.yaml \
	configs/suites/toy_tutorial.yaml \
	configs/toy/grid_best.yaml \
	configs/toy/grid_cgan.yaml \
	configs/toy/grid_gan.yaml \
	configs/toy/grid_hinge.yaml \
	configs/toy/grid_instance_noise.yaml \
	configs/toy/grid_label_smoothing.yaml \
	configs/toy/grid_lsgan.yaml \
	configs/toy/grid_minibatch_std.yaml \
	configs/toy/grid_pacgan2.yaml \
	configs/toy/grid_pacgan_paper_m1.yaml \
	configs/toy/grid_pacgan_paper_m2.yaml \
	configs/toy/grid_pacgan_paper_m4.yaml \
	configs/toy/grid_r3gan.yaml \
	configs/toy/grid_spectral_norm.yaml \
	configs/toy/grid_unrolled.yaml \
	configs/toy/grid_wgan_gp.yaml \
	configs/toy/ring_cgan.yaml \
	configs/toy/ring_gan.yaml \
	configs/toy/ring_hinge.yaml \
	configs/toy/ring_instance_noise.yaml \
	configs/toy/ring_label_smoothing.yaml \
	configs/toy/ring_lsgan.yaml \
	configs/toy/ring_minibatch_std.yaml \
	configs/toy/ring_pacgan2.yaml \
	configs/toy/ring_r3gan.yaml \
	configs/toy/ring_spectral_norm.yaml \
	configs/toy/ring_unrolled.yaml \
	configs/toy/ring_wgan_gp.yaml
