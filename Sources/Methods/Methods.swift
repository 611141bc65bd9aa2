// The Methods module of UniGrad Lab; see DESIGN.md.
