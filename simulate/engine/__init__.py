"""The sampling engine: plans, designs, seeding, chunks, and where their tasks run."""
