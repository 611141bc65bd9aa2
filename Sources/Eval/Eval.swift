// The Eval module of UniGrad Lab; see DESIGN.md.
