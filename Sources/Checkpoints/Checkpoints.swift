// The Checkpoints module of UniGrad Lab; see DESIGN.md.
