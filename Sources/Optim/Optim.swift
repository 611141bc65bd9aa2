// The Optim module of UniGrad Lab; see DESIGN.md.
