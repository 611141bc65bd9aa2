// The Data module of UniGrad Lab; see DESIGN.md.
