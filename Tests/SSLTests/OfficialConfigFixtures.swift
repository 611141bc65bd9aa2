/// The four configuration files of the official UniGrad code (Apache-2.0), reproduced verbatim (trailing
/// spaces dropped) as test fixtures (YAML syntax despite their `.py` suffix; the paths are placeholders).
enum OfficialConfigFixtures {
    static let unigrad = """
    seed: 42 # random set
    launcher: pytorch # pytorch or slurm
    port: 28500 # distributed port

    # dataset
    train_datadir: '/path/to/imagenet/train/data'
    test_datadir: '/path/to/imagenet/val/data'
    n_workers: 5

    # model
    arch: 'resnet50'
    projector_input_dim: 2048
    projector_hidden_dim: 2048
    projector_output_dim: 2048
    num_layers: 3
    base_momentum: 0.996
    resume_path:

    # optimizer
    base_lr: 0.05
    whole_batch_size: 1024
    momentum: 0.9
    weight_decay: 1.0e-4
    epochs: 100
    warmup_epochs: 5

    # loss
    loss: 'loss_unigrad'
    lambd: 100.0  # balance factor for neg grad
    rho: 0.99   # for byol & unigrad only
    eps: 0.3    # for byol & unigrad only
    moco_t:     # for simclr

    # others
    print_freq: 50
    test_freq: 10
    save_freq: 10

    # knn config
    knn_k: 200
    knn_t: 0.1
    knn_eval: False
    """

    static let simclrGradMm = """
    seed: 42 # random set
    launcher: pytorch # pytorch or slurm
    port: 28500 # distributed port

    # dataset
    train_datadir: '/path/to/imagenet/train/data'
    test_datadir: '/path/to/imagenet/val/data'
    n_workers: 5

    # model
    arch: 'resnet50'
    projector_input_dim: 2048
    projector_hidden_dim: 2048
    projector_output_dim: 2048
    num_layers: 3
    base_momentum: 0.996
    resume_path:

    # optimizer
    base_lr: 0.05
    whole_batch_size: 1024
    momentum: 0.9
    weight_decay: 1.0e-4
    epochs: 100
    warmup_epochs: 5

    # loss
    loss: 'loss_simclr_grad_mm'
    lambd:      # balance factor for neg grad
    rho:        # for byol & unigrad only
    eps:        # for byol & unigrad only
    moco_t: 0.2    # for simclr

    # others
    print_freq: 50
    test_freq: 10
    save_freq: 10

    # knn config
    knn_k: 200
    knn_t: 0.1
    knn_eval: False
    """

    static let byolDirectpredGrad = """
    seed: 42 # random set
    launcher: pytorch # pytorch or slurm
    port: 28500 # distributed port

    # dataset
    train_datadir: '/path/to/imagenet/train/data'
    test_datadir: '/path/to/imagenet/val/data'
    n_workers: 5

    # model
    arch: 'resnet50'
    projector_input_dim: 2048
    projector_hidden_dim: 2048
    projector_output_dim: 2048
    num_layers: 3
    base_momentum: 0.996
    resume_path:

    # optimizer
    base_lr: 0.05
    whole_batch_size: 1024
    momentum: 0.9
    weight_decay: 1.0e-4
    epochs: 100
    warmup_epochs: 5

    # loss
    loss: 'loss_byol_directpred_grad'
    lambd:      # balance factor for neg grad
    rho: 0.99   # for byol & unigrad only
    eps: 0.3    # for byol & unigrad only
    moco_t:     # for simclr

    # others
    print_freq: 50
    test_freq: 10
    save_freq: 10

    # knn config
    knn_k: 200
    knn_t: 0.1
    knn_eval: False
    """

    static let barlowTwinsGradMm = """
    seed: 42 # random set
    launcher: pytorch # pytorch or slurm
    port: 28500 # distributed port

    # dataset
    train_datadir: '/path/to/imagenet/train/data'
    test_datadir: '/path/to/imagenet/val/data'
    n_workers: 5

    # model
    arch: 'resnet50'
    projector_input_dim: 2048
    projector_hidden_dim: 2048
    projector_output_dim: 2048
    num_layers: 3
    base_momentum: 0.996
    resume_path:

    # optimizer
    base_lr: 0.05
    whole_batch_size: 1024
    momentum: 0.9
    weight_decay: 1.0e-4
    epochs: 100
    warmup_epochs: 5

    # loss
    loss: 'loss_barlow_twins_grad_mm'
    lambd: 50   # balance factor for neg grad
    rho:        # for byol & unigrad only
    eps:        # for byol & unigrad only
    moco_t:     # for simclr

    # others
    print_freq: 50
    test_freq: 10
    save_freq: 10

    # knn config
    knn_k: 200
    knn_t: 0.1
    knn_eval: False
    """

}
